"""The drafting model's tools: read-only look-ups into the fact sheet and the repository.

Each tool wraps one `Lookups` method. None writes, runs code or reaches the network. Every
answer is returned as a data block (`sanitize.repository_text`): facts hold repository text
(README lines, column and feature names), so every answer is delimited, cleaned of control
and bidi characters, redacted of secrets and capped, like any other repository text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import ValidationError

from modeldoc.llm.sanitize import repository_text
from modeldoc.writing.lookups import MAX_EXCERPT_LINES, Lookups, NotInFacts

ANSWER_LIMIT = 4000
"""Characters of one tool answer: the answer goes back with every later call of the loop."""


def lookup_tools(lookups: Lookups) -> list[BaseTool]:
    """The tools the drafting model may call, bound to one build's look-ups."""

    def get_fact(path: str) -> Any:
        return lookups.fact(path)

    def list_metrics() -> Any:
        return lookups.metrics()

    def find_symbol(name: str) -> Any:
        return lookups.find_symbol(name) or f"no class or function called {name!r}"

    def read_source(file: str, start_line: int, end_line: int) -> Any:
        return lookups.source(file, start_line, end_line)

    def shap_for_feature(feature: str) -> Any:
        return lookups.shap_feature(feature)

    return [
        StructuredTool.from_function(
            get_fact,
            name="get_fact",
            description=(
                "A value from the fact sheet by JSON path, e.g. `evaluation.metrics[0]`, "
                "`explanations.importance[0]`, `code.hyperparameters`, `data[0].columns`."
            ),
        ),
        StructuredTool.from_function(
            list_metrics,
            name="list_metrics",
            description="Every evaluation metric: value, 95% interval, or why it is missing.",
        ),
        StructuredTool.from_function(
            find_symbol,
            name="find_symbol",
            description="Classes and functions of the repository with this name: file, line.",
        ),
        StructuredTool.from_function(
            read_source,
            name="read_source",
            description=(
                f"Numbered lines of a file the facts name (at most {MAX_EXCERPT_LINES} lines)."
            ),
        ),
        StructuredTool.from_function(
            shap_for_feature,
            name="shap_for_feature",
            description="A feature's mean |SHAP|, direction and part in each local example.",
        ),
    ]


def run_tool(tools: Mapping[str, BaseTool], name: str, arguments: Mapping[str, Any]) -> str:
    """The answer to one tool call, as a data block; a call that names no tool, has wrong
    arguments or finds nothing gets a one-line explanation instead (the loop goes on)."""
    tool = tools.get(name)
    if tool is None:
        return f"There is no tool called {name!r}; the tools are: {', '.join(sorted(tools))}."
    try:
        answer = tool.invoke(dict(arguments))
    except NotInFacts as error:
        return f"Not in the facts: {error}"
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        return f"Invalid arguments for {name}: {problems}"
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    shown_arguments = json.dumps(dict(arguments), ensure_ascii=False, sort_keys=True)
    return repository_text(text, source=f"{name} {shown_arguments}", limit=ANSWER_LIMIT)
