"""The scan: walk a repository, read the files that carry facts, assemble repo and code facts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from modeldoc.errors import InputError
from modeldoc.facts import CodeFacts, Hyperparameter, RepoFacts, ScanIssue, Script
from modeldoc.tools.code.base import FileFacts, LanguageExtractor
from modeldoc.tools.code.models import config_overrides, resolve_models
from modeldoc.tools.code.python import PythonExtractor
from modeldoc.tools.config_files import config_hyperparameters, is_config_file
from modeldoc.tools.hyperparameters import find_conflicts, sort_hyperparameters
from modeldoc.tools.notebook import NotebookError, notebook_code
from modeldoc.tools.repo_info import repo_facts
from modeldoc.tools.textio import MAX_TEXT_BYTES, read_text
from modeldoc.tools.walk import RepoFile, walk_repository

EXTRACTORS: tuple[LanguageExtractor, ...] = (PythonExtractor(),)
# Notebooks carry their outputs (images as base64), so they get a larger cap than source files.
MAX_NOTEBOOK_BYTES = 16 * MAX_TEXT_BYTES

# Files the repository facts are read from (licence, dependencies, README), by lower-case name.
_REPO_INFO_NAMES = {
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "environment.yml",
    "environment.yaml",
}
_REPO_INFO_PREFIXES = ("readme", "license", "licence", "copying", "requirements")


@dataclass(frozen=True)
class ScanResult:
    """The repository facts and code facts of one scan."""

    repo: RepoFacts
    code: CodeFacts


def extractor_for(path: str) -> LanguageExtractor | None:
    """The language extractor for a file, by its extension."""
    suffix = PurePosixPath(path).suffix.lower()
    return next((e for e in EXTRACTORS if suffix in e.extensions), None)


def _is_repo_info(path: str) -> bool:
    parts = PurePosixPath(path.lower()).parts
    name = parts[-1]
    if len(parts) == 1:
        return name in _REPO_INFO_NAMES or name.startswith(_REPO_INFO_PREFIXES)
    # requirements/dev.txt
    return len(parts) == 2 and parts[0] == "requirements" and name.endswith(".txt")


def scan_repository(root: Path) -> ScanResult:
    """Scan the repository at `root`. Raises `InputError` when it is not a readable folder."""
    if not root.exists():
        raise InputError(f"{root}: no such file or directory")
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    root = root.resolve()
    walk = walk_repository(root)
    issues: list[ScanIssue] = list(walk.issues)
    texts: dict[str, str] = {}
    per_file: list[FileFacts] = []
    code = CodeFacts()
    config_values: list[Hyperparameter] = []
    for file in walk.files:
        extractor = extractor_for(file.path)
        wanted_config = is_config_file(file.path)
        if extractor is None and not wanted_config and not _is_repo_info(file.path):
            continue
        text = _read(file, issues)
        if text is None:
            continue
        texts[file.path] = text
        if extractor is not None:
            facts = _extract(extractor, file, text, issues)
            if facts is None:
                continue
            per_file.append(facts)
            code.languages[extractor.language] = code.languages.get(extractor.language, 0) + 1
        elif wanted_config:
            values, config_issues = config_hyperparameters(file.path, text)
            config_values.extend(values)
            issues.extend(config_issues)
        code.files_scanned += 1
        code.bytes_scanned += file.size
    repo, repo_issues = repo_facts(root, texts)
    issues.extend(repo_issues)
    _assemble(code, per_file, config_values)
    code.issues = issues + code.issues
    return ScanResult(repo=repo, code=code)


def _read(file: RepoFile, issues: list[ScanIssue]) -> str | None:
    is_notebook = file.path.lower().endswith(".ipynb")
    decoded, issue = read_text(file, MAX_NOTEBOOK_BYTES if is_notebook else MAX_TEXT_BYTES)
    if issue is not None:
        issues.append(issue)
    return decoded.text if decoded is not None else None


def _extract(
    extractor: LanguageExtractor, file: RepoFile, text: str, issues: list[ScanIssue]
) -> FileFacts | None:
    if not file.path.lower().endswith(".ipynb"):
        return extractor.extract(file.path, text)
    try:
        notebook = notebook_code(text)
    except NotebookError as error:
        issues.append(ScanIssue(kind="notebook", file=file.path, message=str(error)))
        return None
    return extractor.extract(file.path, notebook.source, notebook.locate)


def _assemble(code: CodeFacts, files: list[FileFacts], config_values: list[Hyperparameter]) -> None:
    """Merge per-file facts into the repository's code facts."""
    code.models = resolve_models(files)
    hyperparameters = [*config_values, *config_overrides(files)]
    for facts in files:
        hyperparameters.extend(facts.hyperparameters)
        hyperparameters.extend(field for info in facts.classes for field in info.fields)
        code.instantiations.extend(facts.instantiations)
        code.data_sources.extend(facts.data_sources)
        code.splits.extend(facts.splits)
        code.artifacts.extend(facts.artifacts)
        code.symbols.extend(facts.symbols)
        code.issues.extend(facts.issues)
        if facts.script_roles:
            code.scripts.append(Script(file=facts.path, roles=facts.script_roles))
    code.hyperparameters = sort_hyperparameters(hyperparameters)
    code.conflicts = find_conflicts(code.hyperparameters)
