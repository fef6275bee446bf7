"""Read the repository's code files and run each through its language's extractor."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from modeldoc.facts import ScanIssue
from modeldoc.tools.code.base import FileFacts, LanguageExtractor
from modeldoc.tools.code.python import PythonExtractor
from modeldoc.tools.notebook import NotebookError, notebook_code
from modeldoc.tools.textio import MAX_TEXT_BYTES, read_text
from modeldoc.tools.walk import RepoFile

EXTRACTORS: tuple[LanguageExtractor, ...] = (PythonExtractor(),)
# Notebooks carry their outputs (images as base64), so they get a larger cap than source files.
MAX_NOTEBOOK_BYTES = 16 * MAX_TEXT_BYTES


@dataclass
class CodeFiles:
    """What the code files gave: facts per file, warnings, and what was read."""

    facts: list[FileFacts] = field(default_factory=list)
    issues: list[ScanIssue] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    files_read: int = 0
    bytes_read: int = 0


def extractor_for(path: str) -> LanguageExtractor | None:
    """The language extractor for a file, by its extension."""
    suffix = PurePosixPath(path).suffix.lower()
    return next((e for e in EXTRACTORS if suffix in e.extensions), None)


def extract_code_files(files: list[RepoFile]) -> CodeFiles:
    """Read and extract every file that has an extractor, in the files' order."""
    result = CodeFiles()
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
        facts = _extract(extractor, file, decoded.text, is_notebook, result.issues)
        if facts is None:
            continue
        result.facts.append(facts)
        result.languages[extractor.language] = result.languages.get(extractor.language, 0) + 1
        result.files_read += 1
        result.bytes_read += file.size
    return result


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
