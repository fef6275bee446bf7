"""The scan: walk a repository, read the files that carry facts, assemble repo and code facts."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from pydantic import Field

from modeldoc.errors import InputError
from modeldoc.facts import CodeFacts, Fact, Hyperparameter, RepoFacts, ScanIssue, Script
from modeldoc.tools.code.base import FileFacts
from modeldoc.tools.code.files import extract_code_files, extractor_for
from modeldoc.tools.code.models import config_overrides, resolve_models
from modeldoc.tools.config_files import config_hyperparameters, is_config_file
from modeldoc.tools.hyperparameters import find_conflicts, sort_hyperparameters
from modeldoc.tools.repo import repo_facts
from modeldoc.tools.secrets import redact_hyperparameter, redact_readme
from modeldoc.tools.textio import read_text
from modeldoc.tools.walk import walk_repository

# Files the repository facts are read from (licence, dependencies, README), by lower-case name.
_REPO_INFO_NAMES = {
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "environment.yml",
    "environment.yaml",
}
_REPO_INFO_PREFIXES = ("readme", "license", "licence", "copying", "requirements")


class ScanResult(Fact):
    """The repository facts and code facts of one scan (what `modeldoc scan --json` prints)."""

    repo: RepoFacts
    code: CodeFacts
    files_from_cache: int = Field(default=0, exclude=True)
    """Code files whose facts came from the scan cache (not printed: the same facts)."""


def _is_repo_facts_file(path: str) -> bool:
    parts = PurePosixPath(path.lower()).parts
    name = parts[-1]
    if len(parts) == 1:
        return name in _REPO_INFO_NAMES or name.startswith(_REPO_INFO_PREFIXES)
    # requirements/dev.txt
    return len(parts) == 2 and parts[0] == "requirements" and name.endswith(".txt")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a scan allocates many objects and frees few, so
    the collector's passes over the growing heap cost a third of a large scan's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan_repository(root: Path, workers: int = 1, cache_folder: Path | None = None) -> ScanResult:
    """Scan the repository at `root`, a large one with up to `workers` processes; with a
    `cache_folder`, code files an earlier scan saw unchanged are not parsed again.

    Raises `InputError` when `root` is not a readable folder.
    """
    with _collector_paused():
        return _scan(root, workers, cache_folder)


def _scan(root: Path, workers: int, cache_folder: Path | None) -> ScanResult:
    if not root.exists():
        raise InputError(f"{root}: no such file or directory")
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    root = root.resolve()
    walk = walk_repository(root)
    code_files = extract_code_files(walk.files, workers, cache_folder)
    issues: list[ScanIssue] = [*walk.issues, *code_files.issues]
    code = CodeFacts(
        files_scanned=code_files.files_read,
        bytes_scanned=code_files.bytes_read,
        languages=code_files.languages,
    )
    texts: dict[str, str] = {}
    config_values: list[Hyperparameter] = []
    for file in walk.files:
        is_code = extractor_for(file.path) is not None
        is_config = not is_code and is_config_file(file.path)
        if not (is_config or _is_repo_facts_file(file.path)):
            continue
        decoded, issue = read_text(file)
        if issue is not None and not is_code:  # a code file's issue is already recorded
            issues.append(issue)
        if decoded is None:
            continue
        texts[file.path] = decoded.text
        if is_config:
            values, config_issues = config_hyperparameters(file.path, decoded.text)
            config_values.extend(values)
            issues.extend(config_issues)
        if not is_code:
            code.files_scanned += 1
            code.bytes_scanned += file.size
    repo, repo_issues = repo_facts(root, texts)
    if repo.readme is not None:
        repo.readme = redact_readme(repo.readme)
    issues.extend(repo_issues)
    _assemble(code, code_files.facts, config_values)
    code.issues = issues + code.issues
    return ScanResult(repo=repo, code=code, files_from_cache=code_files.files_from_cache)


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
    code.hyperparameters = sort_hyperparameters(map(redact_hyperparameter, hyperparameters))
    code.conflicts = find_conflicts(code.hyperparameters)
