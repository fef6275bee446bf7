"""A readable summary of scan facts for the terminal (rich): each section a tree by file."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from modeldoc.facts import Call, CodeFacts, RepoFacts, Source

MAX_ROWS = 40
MAX_CALL_CHARS = 100


# Control characters (terminal escapes, newlines) and bidi overrides in repository text would
# drive the terminal, fake lines or reorder what it shows; each prints as U+FFFD instead.
_UNSAFE = dict.fromkeys(
    [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x200E, 0x200F, 0x2028, 0x2029,
     *range(0x202A, 0x202F), *range(0x2066, 0x206A)],
    "\ufffd",
)  # fmt: skip


def _clean(text: str) -> str:
    """Repository text made safe to print on a terminal."""
    return text.translate(_UNSAFE)


def _flat(text: str) -> str:
    """Source text on one line (a call written over several lines reads as one)."""
    return " ".join(text.split())


def format_call(call: Call) -> str:
    """A call as written, with its arguments: `nn.Linear(768, 3072, bias=False)`."""
    args = ", ".join(
        f"{argument.name}={argument.value.text}" if argument.name else argument.value.text
        for argument in call.args
    )
    text = _flat(f"{call.callee}({args})")
    return text if len(text) <= MAX_CALL_CHARS else text[: MAX_CALL_CHARS - 2] + "…)"


def _line(source: Source, *parts: str | tuple[str, str]) -> Text:
    # Text.assemble never reads markup, so `[red]` in repository text prints as written.
    where = f"{source.line:>5}" if source.cell is None else f"cell {source.cell}:{source.line}"
    clean = [
        _clean(part) if isinstance(part, str) else (_clean(part[0]), part[1]) for part in parts
    ]
    return Text.assemble((f"{where}  ", "dim"), *clean)


def _by_file(title: str, rows: Iterable[tuple[Source, Text]]) -> Tree:
    """A titled tree with one branch per file and one line per fact, capped at MAX_ROWS."""
    tree = Tree(Text(title, style="bold"), guide_style="dim")
    branches: dict[str, Tree] = {}
    shown = 0
    hidden = 0
    for source, text in rows:
        if shown == MAX_ROWS:
            hidden += 1
            continue
        if source.file not in branches:
            branches[source.file] = tree.add(Text(_clean(source.file), style="cyan"))
        branches[source.file].add(text)
        shown += 1
    if hidden:
        tree.add(Text(f"… {hidden} more (use --json for all)", style="dim"))
    return tree


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
    return Text("\n".join(_clean(line) for line in lines))


def _models(code: CodeFacts) -> Tree:
    """Each model with its framework, place, constructor parameters and layers, one a line."""
    tree = Tree(Text("Models", style="bold"), guide_style="dim")
    for model in code.models:
        via = f" via {' → '.join(model.via)}" if model.via else ""
        label = Text.assemble(
            (_clean(model.name), "bold cyan"),
            _clean(f" ({model.framework.value}{via}, {model.kind.replace('_', ' ')}) "),
            (_clean(str(model.source)), "dim"),
        )
        branch = tree.add(label)
        if model.parameters:
            parameters = ", ".join(
                f"{p.name}={_flat(p.default.text)}" if p.default else p.name
                for p in model.parameters
            )
            branch.add(Text(_clean(f"parameters: {parameters}")))
        for layer in model.layers[:MAX_ROWS]:
            branch.add(_line(layer.source, format_call(layer)))
        if len(model.layers) > MAX_ROWS:
            branch.add(Text(f"… {len(model.layers) - MAX_ROWS} more layers (use --json)"))
    return tree


def _hyperparameters(code: CodeFacts) -> list[RenderableType]:
    conflicting = {conflict.name for conflict in code.conflicts}
    rows = (
        (
            hp.source,
            _line(
                hp.source,
                ("≠ " if hp.name in conflicting else "  ", "bold red"),
                (hp.key, "bold"),
                f" = {_flat(hp.value.text)}",
                (f"  ({hp.origin})", "dim"),
            ),
        )
        for hp in code.hyperparameters
    )
    parts: list[RenderableType] = [
        _by_file("Hyperparameters (≠: the name has other values elsewhere)", rows)
    ]
    if code.conflicts:
        tree = Tree(Text("Conflicting values: every value is kept", style="bold"))
        for conflict in code.conflicts:
            branch = tree.add(Text(_clean(conflict.name), style="bold red"))
            for hp in conflict.values:
                value = _clean(f"{_flat(hp.value.text)}  ")
                branch.add(Text.assemble(value, (_clean(str(hp.source)), "dim")))
        parts.append(tree)
    return parts


def _training_setup(code: CodeFacts) -> Tree:
    calls: list[tuple[str, Call]] = [(item.role, item) for item in code.instantiations]
    calls += [("data", item) for item in code.data_sources]
    calls += [("split", item) for item in code.splits]
    calls += [("saves", item) for item in code.artifacts]
    calls.sort(key=lambda pair: (pair[1].source.file, pair[1].source.line))
    rows = (
        (call.source, _line(call.source, (f"{kind:<12} ", "magenta"), format_call(call)))
        for kind, call in calls
    )
    return _by_file("Training set-up, data and artefacts", rows)


def summary(repo: RepoFacts, code: CodeFacts) -> list[RenderableType]:
    """The renderables of a scan summary, section by section; empty sections are left out."""
    parts: list[RenderableType] = [_header(repo, code)]
    if code.models:
        parts.append(_models(code))
    if code.hyperparameters:
        parts.extend(_hyperparameters(code))
    if code.instantiations or code.data_sources or code.splits or code.artifacts:
        parts.append(_training_setup(code))
    if code.scripts:
        rows = (
            (role.source, _line(role.source, (f"{role.role:<11} ", "magenta"), role.evidence))
            for script in code.scripts
            for role in script.roles
        )
        parts.append(_by_file("Training and evaluation scripts (first evidence)", rows))
    if repo.dependencies:
        names = sorted({dep.name for dep in repo.dependencies})
        parts.append(Text(_clean(f"Dependencies ({len(names)}): " + ", ".join(names))))
    if code.issues:
        tree = Tree(Text(f"Warnings ({len(code.issues)})", style="bold yellow"))
        for issue in code.issues[:MAX_ROWS]:
            where = f"{issue.file}:{issue.line}" if issue.line else issue.file
            message = _clean(f"{where}: {issue.message}")
            tree.add(Text.assemble((f"{issue.kind:<10} ", "yellow"), message))
        if len(code.issues) > MAX_ROWS:
            tree.add(Text(f"… {len(code.issues) - MAX_ROWS} more (use --json)", style="dim"))
        parts.append(tree)
    return parts


def print_summary(console: Console, repo: RepoFacts, code: CodeFacts) -> None:
    """Print the scan summary."""
    console.print(Group(*summary(repo, code)))
