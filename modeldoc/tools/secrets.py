"""Secrets found in a repository (API keys, tokens, private keys) never reach a fact.

Two rules: text that has the shape of a known credential is replaced wherever it appears,
and a literal string given to a setting whose name says it is secret is replaced whole.
"""

from __future__ import annotations

import re

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
            # An AWS secret key is 40 base64 characters; only next to its usual names.
            r"(?i:aws_secret_access_key)(\s*[:=]\s*['\"]?)[A-Za-z0-9/+=]{40}",
        )
    )
)
_SECRET_NAME = re.compile(
    r"(?i)(?:^|_|\b)(?:password|passwd|pwd|secret|token|api_?key|access_?key|private_?key|"
    r"credentials?)(?:$|_|\b)"
)


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


def is_secret_name(name: str) -> bool:
    """True for setting names that hold secrets: `api_key`, `db_password`, `hf_token` ..."""
    return bool(_SECRET_NAME.search(name))


def redact_hyperparameter(setting: Hyperparameter) -> Hyperparameter:
    """The setting with a secret value replaced: by its name, or by the value's shape."""
    value = setting.value
    if is_secret_name(setting.name) and isinstance(value.value, str) and value.value:
        return setting.model_copy(update={"value": Value(text=REDACTED, literal=False)})
    redacted = redact_text(value.text)
    if redacted != value.text:
        return setting.model_copy(update={"value": Value(text=redacted, literal=False)})
    return setting


def redact_readme(readme: Readme) -> Readme:
    """The README facts with credential-shaped text replaced."""
    return readme.model_copy(
        update={
            "title": redact_text(readme.title) if readme.title else readme.title,
            "summary": redact_text(readme.summary) if readme.summary else readme.summary,
        }
    )
