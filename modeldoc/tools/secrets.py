"""Secrets (API keys, tokens, passwords) never leave modeldoc: not in a fact, a page, a
prompt, a cache or an error message.

Three rules. `redact_text`: text that has the shape of a credential is replaced wherever it
appears, also glued to a name (`col_AKIA...`), and so is the value of `name=value` when the
name says it is secret (`pw=hunter2`, `db_password=...`). `redact_value`: the literal given to
a setting whose name says it is secret (`api_key`, `db_password`, `hf_token`) is replaced
whole. `redact_model`: every string in a fact model (field values, dict keys, list items)
goes through `redact_text`; what is published is derived from that redacted view.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TypeVar, cast

from pydantic import BaseModel

from modeldoc.facts import Hyperparameter, Readme, Value

REDACTED = "[REDACTED]"
Model = TypeVar("Model", bound=BaseModel)

# Where a token may start and end: not inside a longer run of letters and digits. Not `\b`:
# `_` is a word character, so `\b` misses a key glued to a name (`col_AKIAIOSFODNN7EXAMPLE`).
_START = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])"
# Shapes of credentials that are unambiguous on their own.
_CREDENTIAL = re.compile(
    "|".join(
        (
            # AWS access key id: upper case and digits, so only those may not touch it
            # (`colAKIA...` and `col_AKIA...` match; `XAKIA...` is another word).
            r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])",
            _START + r"gh[pousr]_[A-Za-z0-9]{36,}",  # GitHub tokens
            _START + r"github_pat_[A-Za-z0-9_]{22,}",
            _START + r"sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic keys
            _START + r"xox[baprs]-[A-Za-z0-9-]{10,}",  # Slack tokens
            _START + r"hf_[A-Za-z0-9]{30,}",  # Hugging Face tokens
            _START + r"AIza[0-9A-Za-z_-]{35}" + _END,  # Google API keys
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            # An AWS secret key is 40 base64 characters; only next to its usual name.
            r"(?i:aws_secret_access_key)(\s*[:=]\s*['\"]?)[A-Za-z0-9/+=]{40}",
            # user:password@ in a URL
            r"(?<=://)[^/\s:@'\"]+:[^/\s@'\"]+(?=@)",
            # HTTP authorisation values
            r"(?i:(?<=\bbasic )|(?<=\bbearer ))[A-Za-z0-9+/=._~-]{8,}",
        )
    )
)
# `name=value` (a connection string's `password=...`, a label `pw=...`, a URL's `?token=...`):
# the value is a secret when the name is one (`is_secret_name`). The value ends at a space,
# quote or separator; `==` is a comparison, not an assignment.
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{0,60})(\s*=(?!=)\s*)([^\s'\"`;&,<>()\[\]{}]+)"
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
    """`text` with every credential-shaped part, and the value of every `secret_name=value`,
    replaced by `[REDACTED]`."""
    if not text:
        return text
    return _ASSIGNMENT.sub(_assigned, _CREDENTIAL.sub(_replacement, text))


def _replacement(match: re.Match[str]) -> str:
    # Keep the name and `= "` before an AWS secret key; drop the key itself.
    if match.group(1) is not None:
        return match.group(0)[: match.end(1) - match.start(0)] + REDACTED
    return REDACTED


def _assigned(match: re.Match[str]) -> str:
    name, equals, value = match.groups()
    if value.startswith(REDACTED) or not is_secret_name(name):
        return match.group(0)
    return f"{name}{equals}{REDACTED}"


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


def redact_model(model: Model) -> Model:
    """`model` with every string in it passed through `redact_text`: field values, dict keys
    and list items, through nested models, at any depth. Parts with nothing to redact are
    shared, not copied (the same object comes back when nothing changed)."""
    return cast(Model, _redacted(model))


def _redacted(value: object) -> object:
    if isinstance(value, str):
        redacted = redact_text(value)
        return value if redacted == value else redacted
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            current = getattr(value, name)
            redacted = _redacted(current)
            if redacted is not current:
                changes[name] = redacted
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, (list, tuple)):
        items = [_redacted(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return _redacted_dict(value)
    return value


def _redacted_dict(mapping: dict[object, object]) -> dict[object, object]:
    changed = False
    result: dict[object, object] = {}
    for key, item in mapping.items():
        new_key, new_item = _redacted(key), _redacted(item)
        changed = changed or new_key is not key or new_item is not item
        # Two names that differed only in their secrets stay two entries.
        unique, count = new_key, 1
        while unique in result and isinstance(new_key, str):
            count += 1
            unique = f"{new_key} ({count})"
        result[unique] = new_item
    return result if changed else mapping
