"""A readable summary of scan facts for the terminal (rich)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from modeldoc.facts import Call, CodeFacts, Hyperparameter, RepoFacts, Source

MAX_ROWS = 40
MAX_CALL_CHARS = 90


def format_call(call: Call) -> str:
    """A call as written, with its arguments: `nn.Linear(768, 3072, bias=False)`."""
    args = ", ".join(
        f"{argument.name}={argument.value.text}" if argument.name else argument.value.text
        for argument in call.args
    )
    text = f"{call.callee}({args})"
    return text if len(text) <= MAX_CALL_CHARS else text[: MAX_CALL_CHARS - 1] + "…)"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _capped(table: Table, rows: Iterable[tuple[str, ...]], total: int) -> Table:
    for index, row in enumerate(rows):
        if index == MAX_ROWS:
            table.caption = f"{total - MAX_ROWS} more not shown (use --json for all)"
            break
        # Repository text is data: escape it so `[red]` in a file name is not markup.
        table.add_row(*(escape(cell) for cell in row))
    return table


def _where(source: Source) -> str:
    return str(source)


def _hyperparameter_row(hp: Hyperparameter, conflicting: set[str]) -> tuple[str, ...]:
    mark = "≠ " if hp.name in conflicting else ""
    return (mark + hp.key, hp.value.text, hp.origin, _where(hp.source))


def _header(repo: RepoFacts, code: CodeFacts) -> Text:
    licence = next((lic.spdx for lic in repo.licenses if lic.spdx), None) or "unknown"
    languages = ", ".join(f"{count} {name}" for name, count in sorted(code.languages.items()))
    lines = [
        f"Repository: {repo.name}",
        f"Commit: {repo.commit or 'not a git repository'}",
        f"Licence: {licence}",
        f"Files read: {code.files_scanned} ({languages or 'no code'}), "
        f"{code.bytes_scanned / 1e6:.2f} MB; symbols: {len(code.symbols)}",
    ]
    if repo.readme and repo.readme.title:
        lines.insert(1, f"Title: {repo.readme.title}")
    return Text("\n".join(lines))


def summary(repo: RepoFacts, code: CodeFacts) -> list[RenderableType]:
    """The renderables of a scan summary, section by section; empty sections are left out."""
    parts: list[RenderableType] = [_header(repo, code)]
    rows: list[tuple[str, ...]]
    if code.models:
        rows = [
            (
                model.name,
                model.framework.value,
                _where(model.source),
                "\n".join(format_call(layer) for layer in model.layers[:12])
                + (f"\n… {len(model.layers) - 12} more" if len(model.layers) > 12 else ""),
                ", ".join(
                    f"{p.name}={p.default.text}" if p.default else p.name for p in model.parameters
                ),
            )
            for model in code.models
        ]
        table = _table("Models", "name", "framework", "where", "layers", "parameters")
        parts.append(_capped(table, rows, len(rows)))
    if code.hyperparameters:
        conflicting = {conflict.name for conflict in code.conflicts}
        rows = [_hyperparameter_row(hp, conflicting) for hp in code.hyperparameters]
        table = _table("Hyperparameters (≠ marks a name with conflicting values)",
                       "name", "value", "origin", "where")  # fmt: skip
        parts.append(_capped(table, rows, len(rows)))
    if code.conflicts:
        table = _table("Conflicting values: every value is kept", "name", "value", "where")
        for conflict in code.conflicts:
            for hp in conflict.values:
                table.add_row(
                    escape(conflict.name), escape(hp.value.text), escape(_where(hp.source))
                )
        parts.append(table)
    calls: list[tuple[str, ...]] = [
        (item.role, format_call(item), _where(item.source)) for item in code.instantiations
    ]
    calls += [("data", format_call(item), _where(item.source)) for item in code.data_sources]
    calls += [("split", format_call(item), _where(item.source)) for item in code.splits]
    calls += [("saved", format_call(item), _where(item.source)) for item in code.artifacts]
    if calls:
        table = _table("Training set-up, data and artefacts", "kind", "call", "where")
        parts.append(_capped(table, calls, len(calls)))
    if code.scripts:
        rows = [
            (script.file, role.role, f"{role.evidence} at line {role.source.line}")
            for script in code.scripts
            for role in script.roles
        ]
        parts.append(_capped(_table("Scripts", "file", "role", "evidence"), rows, len(rows)))
    if repo.dependencies:
        names = sorted({dep.name for dep in repo.dependencies})
        parts.append(Text(f"Dependencies ({len(names)}): " + ", ".join(names)))
    if code.issues:
        rows = [
            (issue.kind, f"{issue.file}:{issue.line}" if issue.line else issue.file, issue.message)
            for issue in code.issues
        ]
        parts.append(_capped(_table("Warnings", "kind", "file", "message"), rows, len(rows)))
    return parts


def print_summary(console: Console, repo: RepoFacts, code: CodeFacts) -> None:
    """Print the scan summary."""
    console.print(Group(*summary(repo, code)))
