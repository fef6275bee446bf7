"""The verifier: every number, name and file path a section states must be in the facts.

It reads a section's Markdown as a reader would (escapes undone), extracts
- numbers: matched against every numeric fact as `number()` shows it or as the code wrote
  it; a number with three or more significant digits also within the rounding it is shown
  with (0.96 for 0.958), a percentage against a fraction (95% for 0.95);
- identifiers: every code span, and words shaped like code outside them (`snake_case`,
  `CamelCase`, dotted names), matched against every text fact (feature and column names,
  class labels, symbols, hyperparameter names, estimators ...);
- file paths (`train.py`, `config/a.yaml:9`): matched against the files facts name, and the
  line against the places facts were read from.
What does not match is a finding with `matched=False`: flagged, never published silently.
Fenced code blocks are examples of use: only the file paths in them are checked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from modeldoc.facts import FactSheet, Finding, Section
from modeldoc.present.numbers import number

# Names modeldoc itself uses in prose (its own settings file, the card's vocabulary).
OWN_VOCABULARY = frozenset({
    "modeldoc", "modeldoc.yml", "card", "facts.json", "--trust-pickle",
    "XGBoost", "LightGBM", "UBJSON", "ONNX", "JSON", "CSV", "PARQUET", "SHAP",
})  # fmt: skip

_PHRASE_LENGTH = 16
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)\s?(.+?)\s?\1")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?(?![\w])")
_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:py|ipynb|ya?ml|json|toml|cfg|csv|"
                   r"parquet|txt|md|skops|onnx|safetensors|ubj|pkl|joblib|pt|pth|h5|keras))"
                   r"(?::(\d+))?(?![\w/])")  # fmt: skip
_CODE_SHAPED = re.compile(
    r"(?<![\w.`])([A-Za-z_][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*|"
    r"[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?![\w`])"
)

_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@dataclass
class FactIndex:
    """Every value of a fact sheet, by kind, with the JSON path it sits at."""

    numbers: list[tuple[float, str]] = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)
    """Each numeric fact as `number()` shows it."""
    texts: dict[str, str] = field(default_factory=dict)
    phrases: set[str] = field(default_factory=set)
    """Text facts that read as prose (a README summary, a reason): quoted verbatim, they
    are facts themselves, whatever names or numbers they hold."""
    files: set[str] = field(default_factory=set)
    places: set[tuple[str, int]] = field(default_factory=set)


def index_facts(facts: FactSheet) -> FactIndex:
    """Walk the fact sheet (narrative excluded) into an index."""
    index = FactIndex()
    data = facts.model_dump(mode="json", exclude={"narrative"})
    _walk(data, "", index)
    return index


def verify_section(section: Section, index: FactIndex) -> Section:
    """The section with its findings: one per number, identifier and path it states."""
    findings = [
        *_path_findings(section.text, index),
        *_prose_findings(section.text, index),
    ]
    return section.model_copy(update={"findings": findings})


def _walk(value: Any, path: str, index: FactIndex) -> None:
    if isinstance(value, dict):
        if isinstance(value.get("file"), str):
            index.files.add(value["file"])
            if isinstance(value.get("line"), int):
                index.places.add((value["file"], value["line"]))
        for key, item in value.items():
            index.texts.setdefault(str(key), f"{path}.{key}".lstrip("."))
            _walk(item, f"{path}.{key}".lstrip("."), index)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _walk(item, f"{path}[{position}]", index)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        index.numbers.append((float(value), path))
        index.shown.setdefault(number(value), path)
        index.shown.setdefault(str(value), path)
    elif isinstance(value, str):
        index.texts.setdefault(value, path)
        if _DOTTED_NAME.fullmatch(value):
            # `xgboost.XGBClassifier` also names the class `XGBClassifier` and the module
            # `xgboost`, as prose writes them.
            parts = value.split(".")
            index.texts.setdefault(parts[-1], path)
            for end in range(1, len(parts)):
                index.texts.setdefault(".".join(parts[:end]), path)
        if len(value) >= _PHRASE_LENGTH and " " in value:
            index.phrases.add(value)
        if "/" in value or "." in value:
            index.files.add(value)


def _readable(markdown: str) -> str:
    """The text a reader sees: link targets dropped, escapes undone."""
    return _ESCAPE.sub(r"\1", _LINK_TARGET.sub("]", markdown))


def _path_findings(markdown: str, index: FactIndex) -> list[Finding]:
    found = []
    for match in _PATH.finditer(_readable(markdown)):
        file, line = match.group(1), match.group(2)
        if file in OWN_VOCABULARY:
            continue
        known = _known_file(file, index)
        matched = known is not None and (line is None or (known, int(line)) in index.places)
        found.append(Finding(kind="path", text=match.group(0), matched=matched,
                             fact=f"{known}:{line}" if line and matched else known))  # fmt: skip
    return found


def _known_file(file: str, index: FactIndex) -> str | None:
    if file in index.files:
        return file
    # `README.md` may be shown for `docs/README.md` only when exactly one such file is known.
    suffixed = [known for known in index.files if known.endswith("/" + file)]
    return suffixed[0] if len(suffixed) == 1 else None


def _prose_findings(markdown: str, index: FactIndex) -> list[Finding]:
    prose = _FENCE.sub("", markdown)
    found: list[Finding] = []
    for match in _CODE_SPAN.finditer(prose):
        content = match.group(2).strip()
        if content and not _PATH.fullmatch(content):  # paths are checked on their own
            found.append(_identifier(content, index))
    outside = _readable(_CODE_SPAN.sub(" ", prose))
    for phrase in index.phrases:
        if phrase in outside:
            outside = outside.replace(phrase, " ")
    outside_paths = {m.group(0) for m in _PATH.finditer(outside)}
    for match in _CODE_SHAPED.finditer(outside):
        word = match.group(1)
        if not any(word in path for path in outside_paths):
            found.append(_identifier(word, index))
    for match in _NUMBER.finditer(outside):
        if any(match.group(0) in path for path in outside_paths):
            continue
        found.append(_number(match.group(0), index))
    return found


def _identifier(text: str, index: FactIndex) -> Finding:
    name = text.strip()
    if name in OWN_VOCABULARY:
        return Finding(kind="identifier", text=name, matched=True, fact="modeldoc")
    path = index.texts.get(name)
    if path is None and _NUMBER.fullmatch(name):
        return _number(name, index)
    return Finding(kind="identifier", text=name, matched=path is not None, fact=path)


def _number(shown: str, index: FactIndex) -> Finding:
    text = shown.replace(",", "")
    digits = text.rstrip("%")
    exact = index.shown.get(shown) or index.texts.get(shown) or index.shown.get(digits)
    if exact is not None and not shown.endswith("%"):
        return Finding(kind="number", text=shown, matched=True, fact=exact)
    value, tolerance = float(digits), _half_unit(digits)
    loose = _significant_digits(digits) >= 3
    for fact_value, path in index.numbers:
        if shown.endswith("%"):
            matched = math.isclose(fact_value * 100, value, abs_tol=tolerance)
        else:
            matched = loose and math.isclose(fact_value, value, abs_tol=tolerance)
        if matched:
            return Finding(kind="number", text=shown, matched=True, fact=path)
    return Finding(kind="number", text=shown, matched=False)


def _significant_digits(text: str) -> int:
    mantissa = text.lower().partition("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def _half_unit(text: str) -> float:
    """Half the last shown digit's unit: `0.958` stands for [0.9575, 0.9585]."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = 10.0 ** int(exponent) if exponent else 1.0
    return 0.5 * 10.0**-decimals * scale + 1e-12
