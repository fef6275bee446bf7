"""Prompt files, one per prompt, loaded by name (used by the LLM writer).

Each file starts with a `version: N` line, raised whenever the prompt's meaning changes; the
version and the text's hash enter the LLM cache key, so an edited prompt never reuses an
answer to the old one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_HEADER = re.compile(r"\Aversion: *(\d+)\n\n?")


@dataclass(frozen=True)
class Prompt:
    """A prompt's text and the version that identifies it in caches."""

    name: str
    version: str
    text: str


@cache
def load_prompt(name: str) -> Prompt:
    """The prompt in `prompts/<name>.md`; its version is `N-<first 12 hex of the sha256>`."""
    text = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    header = _HEADER.match(text)
    if header is None:
        raise ValueError(f"prompts/{name}.md must start with a 'version: N' line")
    body = text[header.end() :]
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    return Prompt(name=name, version=f"{header.group(1)}-{digest}", text=body)
