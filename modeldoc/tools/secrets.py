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

# Shapes of credentials that are unambiguous on their own. A token may not sit inside a longer
# run of letters and digits; not `\b`: `_` is a word character, so `\b` misses a key glued to
# a name (`col_AKIAIOSFODNN7EXAMPLE`). Each pattern starts with a literal character and checks
# what precedes it only then (`g(?<![A-Za-z0-9]g)`): the engine then jumps from one possible
# first character to the next instead of trying every pattern at every position.
_TOKEN = re.compile(
    "|".join(
        (
            # AWS access key id: upper case and digits, so only those may not touch it
            # (`colAKIA...` and `col_AKIA...` match; `XAKIA...` is another word).
            r"A(?<![A-Z0-9]A)(?:KIA|SIA|BIA|CCA)[0-9A-Z]{16}(?![A-Z0-9])",
            r"AIza(?<![A-Za-z0-9]AIza)[0-9A-Za-z_-]{35}(?![A-Za-z0-9])",  # Google API keys
            r"g(?<![A-Za-z0-9]g)h[pousr]_[A-Za-z0-9]{36,}",  # GitHub tokens
            r"g(?<![A-Za-z0-9]g)ithub_pat_[A-Za-z0-9_]{22,}",
            r"s(?<![A-Za-z0-9]s)k-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic
            r"x(?<![A-Za-z0-9]x)ox[baprs]-[A-Za-z0-9-]{10,}",  # Slack tokens
            r"h(?<![A-Za-z0-9]h)f_[A-Za-z0-9]{30,}",  # Hugging Face tokens
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            # user:password@ in a URL (the `://` kept)
            r":(//)[^/\s:@'\"]+:[^/\s@'\"]+(?=@)",
        )
    )
)
_AUTH_VALUE = r"(?=[A-Za-z0-9+/=._~-]*[0-9])[A-Za-z0-9+/=._~-]{8,}"
# Credentials known by the name before them (the name kept).
_LABELLED = re.compile(
    "|".join(
        (
            # An AWS secret key is 40 base64 characters; only next to its usual name.
            r"(aws_secret_access_key\s*[:=]\s*['\"]?)[A-Za-z0-9/+=]{40}",
            # HTTP authorisation values; with a digit, so prose ("a basic classifier",
            # now that every published text is redacted) is left alone.
            r"(?<=\bbasic )" + _AUTH_VALUE,
            r"(?<=\bbearer )" + _AUTH_VALUE,
        )
    ),
    re.IGNORECASE,
)
# What a `_LABELLED` match needs, looked for in lower-cased text (fast: literals only).
_LABEL = re.compile("aws_secret_access_key|basic |bearer ")
# `name=value` (a connection string's `password=...`, a label `pw=...`, a URL's `?token=...`):
# the value is a secret when the name is one (`is_secret_name`). The value ends at a space,
# quote or separator; `==` is a comparison, not an assignment; a value that starts with an
# escaped bracket is redacted text already, escaped for Markdown (`pw=\[REDACTED\]`).
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{0,60})(\s*=(?!=)\s*)"
    r"(?!\\\[)([^\s'\"`;&,<>()\[\]{}]+)"
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
    text = _TOKEN.sub(_replacement, text)
    # Most texts (column names, identifiers, prose) hold neither a label nor `=`: the
    # case-blind patterns, tried at every position, cost far more than these checks.
    if _LABEL.search(text.lower()) is not None:
        text = _LABELLED.sub(_replacement, text)
    if "=" in text:
        text = _ASSIGNMENT.sub(_assigned, text)
    return text


def _replacement(match: re.Match[str]) -> str:
    # Keep what comes before the secret (a URL's `://`, `aws_secret_access_key = "`).
    if match.group(1) is not None:
        return match.group(0)[: match.end(1) - match.start(0)] + REDACTED
    return REDACTED


def _assigned(match: re.Match[str]) -> str:
    name, equals = match.group(1, 2)
    if not is_secret_name(name):
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
    shared, not copied (the same object comes back when nothing changed).

    Two different strings that redact alike (columns `col_AKIA...1` and `col_AKIA...2`) stay
    apart: the second becomes `col_[REDACTED] (2)`, and so on, wherever it appears in the
    model, so a name in a list still matches the same name as a dict key elsewhere."""
    return cast(Model, _Redaction().walk(model))


_ATOMS = frozenset({int, float, bool, type(None)})


class _Redaction:
    """One `redact_model` walk: remembers what each redacted string was published as."""

    def __init__(self) -> None:
        self._published: dict[str, str] = {}
        """original -> what it is published as"""
        self._taken: dict[str, int] = {}
        """published form -> how many originals redact to it"""

    def text(self, value: str) -> str:
        """`value` redacted, numbered when another string already redacted to the same."""
        redacted = redact_text(value)
        if redacted == value:
            return value
        published = self._published.get(value)
        if published is None:
            count = self._taken.get(redacted, 0) + 1
            self._taken[redacted] = count
            published = redacted if count == 1 else f"{redacted} ({count})"
            self._published[value] = published
        return published

    def walk(self, value: object) -> object:
        """`value` with every string in it redacted (the same object when none changed)."""
        if type(value) in _ATOMS:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, BaseModel):
            changes = {}
            for name, current in vars(value).items():  # a model's __dict__ holds its fields
                redacted = self.walk(current)
                if redacted is not current:
                    changes[name] = redacted
            return value.model_copy(update=changes) if changes else value
        if isinstance(value, (list, tuple)):
            items = [self.walk(item) for item in value]
            if all(new is old for new, old in zip(items, value, strict=True)):
                return value
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, dict):
            pairs = [(self.walk(key), self.walk(item)) for key, item in value.items()]
            if all(k is old_k and v is old_v for (k, v), (old_k, old_v)
                   in zip(pairs, value.items(), strict=True)):  # fmt: skip
                return value
            return dict(pairs)
        return value
