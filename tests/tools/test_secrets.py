"""Credentials are recognised by shape, and secret settings by name."""

from __future__ import annotations

import pytest
from tree_sitter import Parser

from modeldoc.facts import Value
from modeldoc.tools.code.models import resolve_models
from modeldoc.tools.code.python import LANGUAGE, PythonExtractor
from modeldoc.tools.code.python_nodes import call_arguments
from modeldoc.tools.secrets import REDACTED, is_secret_name, redact_text, redact_value


@pytest.mark.parametrize(
    "secret",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a1" * 18,
        "sk-proj-" + "x" * 40,
        "xoxb-1234567890-abcdefghij",
        "hf_" + "A" * 34,
        "AIza" + "b" * 35,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ],
)
def test_credentials_are_redacted(secret: str) -> None:
    redacted = redact_text(f"before {secret} after")
    assert secret not in redacted
    assert redacted == f"before {REDACTED} after"


def test_aws_secret_key_keeps_its_name() -> None:
    text = 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'
    assert redact_text(text) == f'aws_secret_access_key = "{REDACTED}"'


def test_ordinary_text_is_kept() -> None:
    text = "learning_rate = 3e-4; model = 'sk-learn' ; token count 12345"
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("OPENAI_API_KEY", True),
        ("db_password", True),
        ("hf_token", True),
        ("client_secret", True),
        ("access_token", True),
        ("wandbApiKey", True),
        ("aws_secret_access_key", True),
        ("max_tokens", False),
        ("tokenizer", False),
        ("pad_token", False),
        ("eos_token", False),
        ("token_budget", False),
        ("primary_key", False),
        ("learning_rate", False),
        ("author", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_call_arguments_redact_secret_keywords_and_shapes() -> None:
    source = (
        b'client = OpenAI(api_key="plain-looking", base_url="http://x", org="AKIAIOSFODNN7EXAMPLE")'
    )
    tree = Parser(LANGUAGE).parse(source)
    call = tree.root_node.children[0].children[0].child_by_field_name("right")
    assert call is not None
    args = {a.name: a.value for a in call_arguments(call)}
    assert args["api_key"].text == REDACTED and not args["api_key"].literal
    assert args["base_url"].value == "http://x"
    assert args["org"].text == f'"{REDACTED}"'


def test_url_credentials_are_redacted() -> None:
    assert redact_text("https://user:s3cr3t@host/x") == f"https://{REDACTED}@host/x"
    assert redact_text("https://host/x?a=1") == "https://host/x?a=1"


@pytest.mark.parametrize(
    ("name", "literal", "kept"),
    [
        ("db_password", 12345, False),
        ("secret_stuff", ["hunter2"], False),
        ("key", "0123456789abcdef0123456789abcdef01234567", False),
        ("key", "sort", True),
        ("use_auth_token", True, True),
        ("api_key", "", True),
        ("pad_token", "<pad>", True),
    ],
)
def test_redact_value_by_name(name: str, literal: object, kept: bool) -> None:
    value = Value(text=repr(literal), literal=True, value=literal)
    assert (redact_value(name, value) == value) is kept


def test_constructor_defaults_are_redacted() -> None:
    source = (
        "import torch.nn as nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, password='hunter2', width=8):\n"
        "        self.fc = nn.Linear(4, width)\n"
    )
    facts = PythonExtractor().extract("model.py", source)
    (model,) = resolve_models([facts])
    defaults = {p.name: p.default.text for p in model.parameters if p.default}
    assert defaults == {"password": REDACTED, "width": "8"}


@pytest.mark.parametrize(
    "text",
    [
        "host=db user=admin password=hunter4dsn",
        "Server=x;Database=y;Password=hunter5conn;",
        "Authorization: Basic dXNlcjpwYXNzd29yZA==",
        "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
    ],
)
def test_connection_strings_and_auth_headers(text: str) -> None:
    redacted = redact_text(text)
    assert REDACTED in redacted
    assert not any(secret in redacted for secret in ("hunter", "dXNlcj", "eyJhbG"))


@pytest.mark.parametrize(
    ("name", "secret"), [("pass", True), ("db_pw", True), ("pass_through", False)]
)
def test_short_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
