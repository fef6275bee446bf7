"""Credentials are recognised by shape, and secret settings by name."""

from __future__ import annotations

import pytest
from tree_sitter import Parser

from modeldoc.facts import ColumnCheck, DataProfile, Value
from modeldoc.present.markdown import md_text
from modeldoc.tools.code.models import resolve_models
from modeldoc.tools.code.python import LANGUAGE, PythonExtractor
from modeldoc.tools.code.python_nodes import call_arguments
from modeldoc.tools.secrets import (
    REDACTED,
    is_secret_name,
    redact_model,
    redact_text,
    redact_value,
)


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


GLUED_SECRETS = [
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_" + "a1" * 18,
    "sk-proj-" + "Ab3" * 10,
    "hf_" + "A" * 34,
    "AIza" + "b" * 35,
    "xoxb-1234567890-abcdefghij",
    "github_pat_" + "A1" * 11,
]


@pytest.mark.parametrize("secret", GLUED_SECRETS)
@pytest.mark.parametrize(("before", "after"), [("col_", ""), ("", "_col"), ("x.", "-y"), ("", "")])
def test_credentials_glued_to_a_name_are_redacted(secret: str, before: str, after: str) -> None:
    redacted = redact_text(f"{before}{secret}{after}")
    # Keys whose alphabet has `_` and `-` (OpenAI, Google) take a glued suffix with them.
    assert redacted in (f"{before}{REDACTED}{after}", f"{before}{REDACTED}")


def test_an_aws_key_glued_to_lower_case_letters_is_redacted() -> None:
    assert redact_text("awsAKIAIOSFODNN7EXAMPLEkey") == f"aws{REDACTED}key"


@pytest.mark.parametrize(
    "text",
    [
        "max_depth",
        "sk_learn_version",
        "task_id",
        "task-projection-with-a-long-hyphenated-name",
        "ask-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "XAKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE1",
        "thghp_" + "a1" * 18,
        "pad_token=<pad>",
        "max_depth=6 n_estimators=100 learning_rate=0.1",
        "if password == expected",
        "shap_dependence_col__REDACTED_-0123456789",
        "A basic classifier, trained by the bearer of responsibility.",
        "Basic Statistics",
    ],
)
def test_ordinary_identifiers_are_kept(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("pw=hunter2secret", f"pw={REDACTED}"),
        ("label db_password = hunter2 next", f"label db_password = {REDACTED} next"),
        ("https://host/x?token=abc123&page=2", f"https://host/x?token={REDACTED}&page=2"),
        ("col_pw=hunter2", f"col_pw={REDACTED}"),
        ("API_KEY=abcdef", f"API_KEY={REDACTED}"),
    ],
)
def test_the_value_of_a_secret_name_is_redacted(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


def test_redaction_is_idempotent_also_on_redacted_text_escaped_for_markdown() -> None:
    text = "col_AKIAIOSFODNN7EXAMPLE pw=hunter2 sk-proj-" + "x" * 30
    once = redact_text(text)
    assert redact_text(once) == once
    escaped = md_text(once)
    assert escaped == r"col\_\[REDACTED\] pw=\[REDACTED\] \[REDACTED\]"
    assert redact_text(escaped) == escaped


def test_redact_model_reaches_every_string() -> None:
    facts = DataProfile(
        file="data/col_AKIAIOSFODNN7EXAMPLE.csv",
        sha256="0" * 64,
        format="csv",
        rows=3,
        columns=["age", "col_AKIAIOSFODNN7EXAMPLE"],
        dtypes={"age": "int64", "col_AKIAIOSFODNN7EXAMPLE": "float64"},
        label_counts={"pw=hunter2secret": 2, "benign": 1},
        column_check=ColumnCheck(expected=["col_AKIAIOSFODNN7EXAMPLE"], extra=["age"]),
    )
    redacted = redact_model(facts)
    text = redacted.model_dump_json()
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "hunter2secret" not in text
    assert redacted.columns == ["age", f"col_{REDACTED}"]
    assert redacted.dtypes == {"age": "int64", f"col_{REDACTED}": "float64"}
    assert redacted.label_counts == {f"pw={REDACTED}": 2, "benign": 1}
    assert redacted.column_check is not None
    assert redacted.column_check.extra is facts.column_check.extra  # unchanged parts shared


def test_redact_model_keeps_two_names_that_differ_only_in_a_secret() -> None:
    first, second = "col_AKIAIOSFODNN7EXAMPLE", "col_AKIAIOSFODNN7EXAMPL2"
    profile = DataProfile(file="a.csv", sha256="0", format="csv", rows=3,
                          columns=[first, second, first], dtypes={second: "int64", first: "str"},
                          label_counts={first: 1, second: 2})  # fmt: skip
    redacted = redact_model(profile)
    one, two = f"col_{REDACTED}", f"col_{REDACTED} (2)"
    assert redacted.columns == [one, two, one]
    assert redacted.dtypes == {two: "int64", one: "str"}
    assert redacted.label_counts == {one: 1, two: 2}
    # Redacting again changes nothing (the render step redacts the assembled facts again).
    assert redact_model(redacted) is redacted


def test_redact_model_returns_the_same_object_when_nothing_is_secret() -> None:
    value = Value(text="'x'", literal=True, value="x")
    assert redact_model(value) is value
