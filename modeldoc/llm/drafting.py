"""Drafting one card section with a chat model, checked by the verifier.

For each section (`SectionDrafter.draft`):
1. the model gets the system prompt, the section prompt and the offline writer's verified
   text of the section as a data block, and may call the read-only look-ups (`tools.py`) for
   up to `MAX_TOOL_ROUNDS` rounds before it must answer;
2. its answer is tidied (`tidy_answer`: no headings, images or links of its own) and goes
   through the verifier; what matches no fact goes back with the revise prompt, at most
   `MAX_REVISIONS` times;
3. a section that still states what no fact supports, a call refused for good (400, 401 ...),
   retries used up or the `--max-tokens` budget reached: the offline writer's text stands,
   with a note saying why. The budget, or a failed call other than one refused for the
   request itself (400, 413, 422: too long, a bad parameter), also trips the `Breaker`, so
   the other sections stop calling instead of failing one by one.

The model never supplies a number: the verifier holds each one to the fact sheet, and the
tables and metadata are rendered from the facts, not from prose.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from modeldoc.facts import FactSheet, Finding, LLMUsage, Section
from modeldoc.llm.client import ChatClient, estimate_request
from modeldoc.llm.errors import BudgetExceeded, LLMCallError
from modeldoc.llm.sanitize import DATA_NOTICE, repository_text
from modeldoc.llm.tools import lookup_tools, run_tool
from modeldoc.llm.usage import UsageMeter
from modeldoc.present.sections import SectionSpec
from modeldoc.prompts import Prompt, load_prompt
from modeldoc.settings import default_of
from modeldoc.writing.lookups import Lookups
from modeldoc.writing.verify import FactIndex, verify_section

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from modeldoc.llm.backend import Backend

MAX_TOOL_ROUNDS = 4
"""Answers that may call tools before the model is asked to write (tool choice `none`)."""
MAX_REVISIONS = 2
DEFAULT_PARALLEL: int = default_of("llm_parallel")
"""Requests in flight at once: a local server (Ollama, llama.cpp) answers one or a few at a
time, and every queued request's wait counts against its timeout."""
MAX_COMPLETION_TOKENS = 1500
"""A section's answer: a few paragraphs; also what each call reserves of the budget."""
DRAFT_LIMIT = 12_000
"""Characters of the offline draft shown to the model."""
_FINDINGS_SHOWN = 20
_ABOUT_THIS_REQUEST = frozenset({400, 413, 422})
"""Statuses that refuse one request (too long, a parameter): the other sections go on.
Any other failure (a refused key, a missing model, retries used up) stops them all."""

_FENCED_ANSWER = re.compile(r"\A```[\w-]*\n(.*)\n```\Z", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)[^)]*\)")


@dataclass(frozen=True)
class DraftPrompts:
    """The three prompts a section is drafted with."""

    system: Prompt
    section: Prompt
    revise: Prompt

    @classmethod
    def load(cls) -> DraftPrompts:
        """The packaged prompts."""
        return cls(load_prompt("system"), load_prompt("section"), load_prompt("revise"))

    @property
    def versions(self) -> dict[str, str]:
        """Prompt name -> version (recorded in provenance)."""
        return {prompt.name: prompt.version for prompt in (self.system, self.section, self.revise)}

    @property
    def version(self) -> str:
        """One string naming all three versions: part of every cache key."""
        return ",".join(f"{name}={version}" for name, version in self.versions.items())


class _Stopped(Exception):
    """The breaker tripped while a section was drafting."""


class Breaker:
    """Stops every section's drafting after a failure that another call cannot fix."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reason: str | None = None

    @property
    def reason(self) -> str | None:
        """Why drafting stopped; None while it goes on."""
        with self._lock:
            return self._reason

    def trip(self, reason: str) -> None:
        """Stop drafting (the first reason is kept)."""
        with self._lock:
            self._reason = self._reason or reason


@dataclass
class LLMSession:
    """What every section's drafting shares in one build: the client, its budget and the
    breaker."""

    backend: Backend
    client: ChatClient
    prompts: DraftPrompts = field(default_factory=DraftPrompts.load)
    breaker: Breaker = field(default_factory=Breaker)
    preflight_usage: LLMUsage = field(default_factory=LLMUsage)
    """The pre-flight check's test call, when it needed one."""
    parallel: int = DEFAULT_PARALLEL
    """Requests in flight at once, over all sections."""
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.parallel)

    def drafter(self, facts: FactSheet, repo: Path, index: FactIndex) -> SectionDrafter:
        """A drafter over one fact sheet."""
        return SectionDrafter(self.client, Lookups(facts, repo), index, prompts=self.prompts,
                              breaker=self.breaker, slots=self._slots)  # fmt: skip


class SectionDrafter:
    """Drafts sections of one fact sheet with the chat model (see the module docstring)."""

    def __init__(
        self,
        client: ChatClient,
        lookups: Lookups,
        index: FactIndex,
        *,
        prompts: DraftPrompts | None = None,
        breaker: Breaker | None = None,
        max_revisions: int = MAX_REVISIONS,
        max_tool_rounds: int = MAX_TOOL_ROUNDS,
        slots: threading.Semaphore | None = None,
    ) -> None:
        self.client = client
        self.slots = slots or threading.Semaphore(DEFAULT_PARALLEL)
        self.index = index
        self.prompts = prompts or DraftPrompts.load()
        self.breaker = breaker or Breaker()
        self.max_revisions = max_revisions
        self.max_tool_rounds = max_tool_rounds
        self.tools: list[BaseTool] = lookup_tools(lookups)
        self._by_name = {tool.name: tool for tool in self.tools}

    @property
    def name(self) -> str:
        """The model, as recorded on the sections it writes."""
        return self.client.model_id

    def draft(self, spec: SectionSpec, offline: Section) -> Section:
        """The model's verified section, or `offline` (already verified) with a note."""
        usage = UsageMeter()
        stopped = self.breaker.reason
        if stopped is not None:
            return _fallback(offline, stopped, usage)
        messages = first_messages(self.prompts, spec, offline)
        unmatched: list[Finding] = []
        try:
            for revision in range(self.max_revisions + 1):
                if revision:
                    messages.append(HumanMessage(self._revise_prompt(unmatched)))
                answer = self._answer(messages, usage)
                messages.append(AIMessage(answer))
                text = tidy_answer(answer, title=spec.title, allowed_links=offline.text)
                if not text:
                    return _fallback(offline, "the LLM's answer was empty", usage)
                drafted = Section(id=spec.id, title=spec.title, text=text, writer=self.name,
                                  missing=offline.missing)  # fmt: skip
                checked = verify_section(drafted, self.index)
                unmatched = checked.unmatched
                if not unmatched:
                    return checked.model_copy(update={"usage": usage.snapshot()})
        except _Stopped as stopped:
            return _fallback(offline, str(stopped), usage)
        except BudgetExceeded as error:
            self.breaker.trip(f"the --max-tokens budget ran out ({error})")
            return _fallback(offline, self.breaker.reason or str(error), usage)
        except LLMCallError as error:
            reason = f"the LLM call failed ({error})"
            if error.status not in _ABOUT_THIS_REQUEST:
                self.breaker.trip(reason)
            return _fallback(offline, reason, usage)
        shown = ", ".join(finding.text for finding in unmatched[:_FINDINGS_SHOWN])
        return _fallback(
            offline,
            f"the LLM's draft still stated what no fact supports after {self.max_revisions} "
            f"revisions ({shown})",
            usage,
        )

    def _answer(self, messages: list[BaseMessage], usage: UsageMeter) -> str:
        """Run the tool loop until the model answers in text; `messages` grows with it."""
        for round_number in range(self.max_tool_rounds + 1):
            last_round = round_number == self.max_tool_rounds
            with self.slots:
                stopped = self.breaker.reason
                if stopped is not None:  # tripped while this section waited for a slot
                    raise _Stopped(stopped)
                answer = self.client.send(
                    messages,
                    prompt_version=self.prompts.version,
                    tools=self.tools,
                    tool_choice="none" if last_round else None,
                    max_completion_tokens=MAX_COMPLETION_TOKENS,
                    also_count=usage,
                )
            if not answer.tool_calls or last_round:
                return str(answer.text).strip()
            messages.append(answer)
            for call in answer.tool_calls:
                result = run_tool(self._by_name, call["name"], call["args"])
                messages.append(ToolMessage(result, tool_call_id=call.get("id") or ""))
        raise AssertionError("unreachable: the last round always returns")

    def _revise_prompt(self, unmatched: Sequence[Finding]) -> str:
        lines = [f"- {finding.kind} `{finding.text}`" for finding in unmatched[:_FINDINGS_SHOWN]]
        return self.prompts.revise.text.format(findings="\n".join(lines)).strip()


def first_messages(prompts: DraftPrompts, spec: SectionSpec, offline: Section) -> list[BaseMessage]:
    """The conversation a section's drafting starts with: the rules, and the section to write
    with the offline writer's verified text as a data block."""
    system = prompts.system.text.format(data_notice=DATA_NOTICE)
    draft = repository_text(offline.text, source="offline draft", limit=DRAFT_LIMIT)
    ask = prompts.section.text.format(title=spec.title, covers=spec.covers, draft=draft)
    return [SystemMessage(system.strip()), HumanMessage(ask.strip())]


def estimate_first_request(
    spec: SectionSpec, offline: Section, lookups: Lookups, prompts: DraftPrompts | None = None
) -> int:
    """Prompt tokens of a section's first request (`--dry-run`), without any call."""
    messages = first_messages(prompts or DraftPrompts.load(), spec, offline)
    return estimate_request(messages, lookup_tools(lookups))


def tidy_answer(answer: str, *, title: str = "", allowed_links: str = "") -> str:
    """The model's Markdown as a section body: an answer wrapped in a code fence unwrapped,
    a first line repeating the title dropped, other headings made bold lines (the card has
    its own), images reduced to their alt text and links to their text unless the offline
    draft (`allowed_links`) has the same target."""
    text = answer.strip()
    fenced = _FENCED_ANSWER.match(text)
    if fenced:
        text = fenced.group(1).strip()
    first, _, rest = text.partition("\n")
    if title and first.strip("#* \t").casefold() == title.casefold():
        text = rest.strip()
    text = _HEADING.sub(lambda m: f"**{m.group(1)}**" if m.group(1) else "", text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(
        lambda m: m.group(0) if f"]({m.group(2)})" in allowed_links else m.group(1), text
    )
    return text.strip()


def _fallback(offline: Section, reason: str, usage: UsageMeter) -> Section:
    note = f"This section is the offline writer's text, because {reason}."
    return offline.model_copy(update={"note": note, "usage": usage.snapshot()})
