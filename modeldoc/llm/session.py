"""One build's LLM session: opened from the settings before any work, summed up after.

`open_session()` resolves the backend (`backend.py`), refuses an answer cache inside the
repository or the output folder, runs the pre-flight check and builds the client every
section shares (one budget, one cache, one breaker). `llm_run()` is what provenance records.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modeldoc.facts import LLMRun, Section
from modeldoc.llm.backend import Backend, build_chat_model, preflight
from modeldoc.llm.cache import AnswerCache
from modeldoc.llm.client import ChatClient
from modeldoc.llm.drafting import LLMSession
from modeldoc.llm.retry import RetrySettings
from modeldoc.llm.usage import UsageMeter
from modeldoc.settings import BuildSettings


def open_session(
    backend: Backend,
    settings: BuildSettings,
    *,
    repo: Path,
    retry: RetrySettings | None = None,
    cache: AnswerCache | None = None,
    check: bool = True,
) -> LLMSession:
    """A session on `backend`, after the pre-flight check (`check=False` skips it)."""
    store = cache if cache is not None else AnswerCache()
    store.ensure_outside(repo, settings.out)
    answers = store if settings.cache else None
    chat_model = build_chat_model(backend)
    usage = UsageMeter(settings.max_tokens)
    preflight_usage = UsageMeter()
    if check:
        preflight(backend, chat_model, usage=preflight_usage)
    client = ChatClient.for_backend(
        backend, model=chat_model, usage=usage, cache=answers, retry=retry
    )
    return LLMSession(backend=backend, client=client, preflight_usage=preflight_usage.snapshot(),
                      parallel=settings.llm_parallel)  # fmt: skip


def llm_run(session: LLMSession, sections: Sequence[Section]) -> LLMRun:
    """What provenance records: the model, the endpoint, the prompts, each section's usage
    summed with the pre-flight check's, and the sections the offline writer wrote instead.

    The figures are summed from the sections rather than read from the client, so a resumed
    build also counts the sections its interrupted run drafted.
    """
    total = session.preflight_usage
    for section in sections:
        if section.usage is not None:
            total += section.usage
    backend = session.backend
    return LLMRun(
        model=backend.id,
        endpoint=backend.shown_url if backend.base_url else None,
        prompts=session.prompts.versions,
        usage=total,
        max_tokens=session.client.usage.max_tokens,
        fallbacks=[section.id for section in sections if section.note],
    )
