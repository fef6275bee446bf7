"""Credentials are recognised by shape, and secret settings by name."""

from __future__ import annotations

import pytest
from tree_sitter import Parser

from modeldoc.tools.code.python import LANGUAGE
from modeldoc.tools.code.python_nodes import call_arguments
from modeldoc.tools.secrets import REDACTED, is_secret_name, redact_text


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
        ("max_tokens", False),
        ("tokenizer", False),
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
