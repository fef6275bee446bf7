"""Secrets found in a repository (API keys, tokens, passwords) never reach a fact.

Two rules, applied by `redact_value` wherever a value is read: text that has the shape of a
credential is replaced wherever it appears, and the literal given to a setting whose name
says it is secret (`api_key`, `db_password`, `hf_token`) is replaced whole.
"""

from __future__ import annotations

import re
from functools import lru_cache

from modeldoc.facts import Hyperparameter, Readme, Value

REDACTED = "[REDACTED]"

# Shapes of credentials that are unambiguous on their own.
_CREDENTIAL = re.compile(
    "|".join(
        (
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",  # AWS access key id
            r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",  # GitHub tokens
            r"\bgithub_pat_[A-Za-z0-9_]{22,}\b",
            r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b",  # OpenAI / Anthropic keys
            r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b",  # Slack tokens
            r"\bhf_[A-Za-z0-9]{30,}\b",  # Hugging Face tokens
            r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API keys
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            # An AWS secret key is 40 base64 characters; only next to its usual name.
            r"(?i:aws_secret_access_key)(\s*[:=]\s*['\"]?)[A-Za-z0-9/+=]{40}",
            # user:password@ in a URL
            r"(?<=://)[^/\s:@'\"]+:[^/\s@'\"]+(?=@)",
            # password=... in a connection string (DSN, ODBC, JDBC)
            r"(?i:(?<=\bpassword=)|(?<=\bpwd=)|(?<=\bpasswd=))[^;\s'\"]+",
            # HTTP authorisation values
            r"(?i:(?<=\bbasic )|(?<=\bbearer ))[A-Za-z0-9+/=._~-]{8,}",
        )
    )
)
_SECRET_WORDS = {
    "password", "passwd", "pwd", "passphrase", "secret", "apikey", "credential",
    "credentials", "privatekey",
}  # fmt: skip
# `<word>_key` and `<word>_token` are secrets after these words; `pad_token` and
# `primary_key` are not.
_KEY_OWNERS = {"api", "access", "private", "secret", "auth", "wandb", "hf", "openai", "license"}
_TOKEN_NOT_SECRET = {
    "pad", "eos", "bos", "unk", "sep", "cls", "mask", "start", "end", "special", "additional",
}  # fmt: skip
_SHORT_SECRET_WORDS = {"pass", "pw", "auth"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# A value that could be a key: long, with no spaces.
_KEY_LIKE = re.compile(r"\S{16,}")


@lru_cache(maxsize=65536)
def redact_text(text: str) -> str:
    """`text` with every credential-shaped part replaced by `[REDACTED]`."""
    if not text:
        return text
    return _CREDENTIAL.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    # Keep the name and `= "` before an AWS secret key; drop the key itself.
    if match.group(1) is not None:
        return match.group(0)[: match.end(1) - match.start(0)] + REDACTED
    return REDACTED


@lru_cache(maxsize=8192)
def is_secret_name(name: str) -> bool:
    """True for setting names that hold secrets: `api_key`, `db_password`, `hf_token` ..."""
    words = [word for word in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if word]
    if any(word in _SECRET_WORDS for word in words):
        return True
    if words and words[-1] in _SHORT_SECRET_WORDS:  # `pass`, `db_pw`; not `pass_through`
        return True
    for before, word in zip(["", *words], words, strict=False):
        if word == "key" and before in _KEY_OWNERS:
            return True
        if word == "token" and word == words[-1] and before not in _TOKEN_NOT_SECRET:
            return True
    return False


def redact_value(name: str | None, value: Value) -> Value:
    """A value as it may be published: credential shapes replaced, and the whole literal
    replaced when `name` says it is a secret (flags and empty values are kept)."""
    redacted = redact_text(value.text)
    if redacted != value.text:
        return Value(text=redacted, literal=False)
    if name is None or not value.literal or value.value in (None, "", True, False):
        return value
    secret = is_secret_name(name) or (
        name.lower() == "key"
        and isinstance(value.value, str)
        and bool(_KEY_LIKE.fullmatch(value.value))
    )
    return Value(text=REDACTED, literal=False) if secret else value


def redact_hyperparameter(setting: Hyperparameter) -> Hyperparameter:
    """The setting with its value as it may be published (see `redact_value`)."""
    value = redact_value(setting.name, setting.value)
    return setting if value is setting.value else setting.model_copy(update={"value": value})


def redact_readme(readme: Readme) -> Readme:
    """The README facts with credential-shaped text replaced."""
    return readme.model_copy(
        update={
            "title": redact_text(readme.title) if readme.title else readme.title,
            "summary": redact_text(readme.summary) if readme.summary else readme.summary,
        }
    )
