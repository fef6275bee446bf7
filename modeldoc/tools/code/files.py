"""Read the repository's code files and run each through its language's extractor.

A large repository is extracted in worker processes (parsing is CPU-bound per file). They
start from a fork server, never by forking a process that may run threads (LangGraph's), and
send their facts back as JSON, which crosses the process boundary far faster than pickled
models. If the pool fails for any reason, this process extracts instead: a slower scan,
never a failed one.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path, PurePosixPath

from pydantic import TypeAdapter

from modeldoc.caching import KeyedStore, content_key
from modeldoc.facts import ScanIssue
from modeldoc.tools.code.base import FileFacts, LanguageExtractor
from modeldoc.tools.code.python import PythonExtractor
from modeldoc.tools.notebook import NotebookError, notebook_code
from modeldoc.tools.textio import MAX_TEXT_BYTES, read_text
from modeldoc.tools.walk import RepoFile

EXTRACTORS: tuple[LanguageExtractor, ...] = (PythonExtractor(),)
# Notebooks carry their outputs (images as base64), so they get a larger cap than source files.
MAX_NOTEBOOK_BYTES = 16 * MAX_TEXT_BYTES
# Below this much code, starting workers costs more than they save.
POOL_MIN_BYTES = 4_000_000
CHUNK_FILES = 48


@dataclass
class CodeFiles:
    """What the code files gave: facts per file, warnings, and what was read."""

    facts: list[FileFacts] = field(default_factory=list)
    issues: list[ScanIssue] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    files_read: int = 0
    bytes_read: int = 0
    files_from_cache: int = 0
    """Files whose facts an earlier scan had stored (not parsed again)."""

    def add(self, other: CodeFiles) -> None:
        """Append the results of a later chunk of files."""
        self.facts.extend(other.facts)
        self.issues.extend(other.issues)
        for language, count in other.languages.items():
            self.languages[language] = self.languages.get(language, 0) + count
        self.files_read += other.files_read
        self.bytes_read += other.bytes_read
        self.files_from_cache += other.files_from_cache


_CODE_FILES = TypeAdapter(CodeFiles)


def extractor_for(path: str) -> LanguageExtractor | None:
    """The language extractor for a file, by its extension."""
    suffix = PurePosixPath(path).suffix.lower()
    return next((e for e in EXTRACTORS if suffix in e.extensions), None)


def extract_code_files(
    files: list[RepoFile], workers: int = 1, cache_folder: Path | None = None
) -> CodeFiles:
    """Read and extract every file that has an extractor, in the files' order.

    With `workers` above one and enough code, in that many worker processes. With a
    `cache_folder`, a file whose path and text an earlier scan saw is not parsed again: its
    facts are read back (keyed by `modeldoc.caching.content_key`, so an edited extractor or
    another library version parses afresh).
    """
    code_files = [file for file in files if extractor_for(file.path) is not None]
    if (
        workers > 1
        and sum(file.size for file in code_files) >= POOL_MIN_BYTES
        and _main_is_importable()
    ):
        pooled = _extract_in_pool(code_files, workers, cache_folder)
        if pooled is not None:
            return pooled
    return _extract_chunk(code_files, cache_folder)


def _main_is_importable() -> bool:
    """Workers re-import the main module; a script read from standard input has none."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or Path(path).exists()


def _extract_in_pool(
    files: list[RepoFile], workers: int, cache_folder: Path | None = None
) -> CodeFiles | None:
    chunks = [files[i : i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    context = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )
    result = CodeFiles()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for payload in pool.map(_extract_chunk_json, chunks, repeat(cache_folder)):
                result.add(_CODE_FILES.validate_json(payload))
    except Exception:  # any failure of the pool: extract in this process instead
        return None
    return result


def _extract_chunk_json(files: list[RepoFile], cache_folder: Path | None) -> bytes:
    """A worker's task: one chunk of files, answered as JSON."""
    return _CODE_FILES.dump_json(_extract_chunk(files, cache_folder))


def _extract_chunk(files: list[RepoFile], cache_folder: Path | None = None) -> CodeFiles:
    result = CodeFiles()
    store = KeyedStore(cache_folder) if cache_folder is not None else None
    for file in files:
        extractor = extractor_for(file.path)
        if extractor is None:
            continue
        is_notebook = file.path.lower().endswith(".ipynb")
        decoded, issue = read_text(file, MAX_NOTEBOOK_BYTES if is_notebook else MAX_TEXT_BYTES)
        if issue is not None:
            result.issues.append(issue)
        if decoded is None:
            continue
        key = content_key("scan", file.path, decoded.text) if store is not None else ""
        facts = _stored_facts(store, key) if store is not None else None
        if facts is not None:
            result.files_from_cache += 1
        else:
            facts = _extract(extractor, file, decoded.text, is_notebook, result.issues)
            if facts is None:
                continue
            if store is not None:
                store.put(key, facts.model_dump_json().encode("utf-8"))
        result.facts.append(facts)
        result.languages[extractor.language] = result.languages.get(extractor.language, 0) + 1
        result.files_read += 1
        result.bytes_read += file.size
    return result


def _stored_facts(store: KeyedStore, key: str) -> FileFacts | None:
    blob = store.get(key)
    if blob is None:
        return None
    try:
        return FileFacts.model_validate_json(blob)
    except ValueError:  # a damaged entry is a miss
        return None


def _extract(
    extractor: LanguageExtractor,
    file: RepoFile,
    text: str,
    is_notebook: bool,
    issues: list[ScanIssue],
) -> FileFacts | None:
    if not is_notebook:
        return extractor.extract(file.path, text)
    try:
        notebook = notebook_code(text)
    except NotebookError as error:
        issues.append(ScanIssue(kind="notebook", file=file.path, message=str(error)))
        return None
    return extractor.extract(file.path, notebook.source, notebook.locate)
