"""Small building blocks of the offline writer's prose: facts shown as text, lists, places."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from modeldoc.facts import Call, RepoFacts, Source
from modeldoc.present.card import MISSING, code_value
from modeldoc.present.markdown import md_code, md_text
from modeldoc.tools.repo.git import file_url


@dataclass
class Draft:
    """A section's paragraphs as they are written, and what the facts could not tell."""

    paragraphs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def add(self, *sentences: str) -> None:
        """One paragraph of the given sentences (empty ones left out)."""
        text = " ".join(sentence for sentence in sentences if sentence)
        if text:
            self.paragraphs.append(text)

    def bullets(self, items: Iterable[str]) -> None:
        """A bulleted list as one paragraph."""
        lines = [f"- {item}" for item in items]
        if lines:
            self.paragraphs.append("\n".join(lines))

    def unknown(self, what: str, sentence: str) -> None:
        """Say plainly that `what` is not known, and record it."""
        self.missing.append(what)
        self.paragraphs.append(f"{sentence} {MISSING}")

    @property
    def text(self) -> str:
        """The section's Markdown."""
        return "\n\n".join(self.paragraphs)


def place(source: Source, repo: RepoFacts) -> str:
    """Where a fact was read: `train.py:18`, linked to that line at the commit when the
    repository's origin is on GitHub or GitLab."""
    shown = md_code(f"{source.file}:{source.line}")
    if repo.web_url is None or repo.commit is None:
        return shown
    url = file_url(repo.web_url, repo.commit, repo.git_prefix + source.file, source.line)
    return f"[{shown}]({url})"


def call_with_arguments(call: Call, limit: int = 6) -> str:
    """`xgboost.XGBClassifier` with `n_estimators` = 100, ... (keyword arguments only)."""
    keywords = [arg for arg in call.args if arg.name]
    shown = ", ".join(
        f"{md_code(arg.name or '')} = {code_value(arg.value)}" for arg in keywords[:limit]
    )
    more = " and more" if len(keywords) > limit else ""
    return f"{md_code(call.qualified)}" + (f" with {shown}{more}" if shown else "")


def quoted(text: str) -> str:
    """Text the repository or its owners wrote, quoted verbatim and made literal."""
    return f"> {md_text(text)}"
