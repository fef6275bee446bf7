"""The LangGraph graph: wiring only; the work lives in `nodes.py` and the tools.

    START ─┬─ scan ─────────────────────────┐           ┌─ draft_section ─┐
           └─ model ─┬─ plot_performance ───┼─ assemble ┼─ ... one per ... ┼─ collect ─ render ─ END
                     └─ explain ─ plot_explanations     └─ draft_section ─┘

The scan and the model step share nothing and run in parallel, as do the metric plots and
the SHAP computation; each card section is then drafted by its own task (`Send`), in parallel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from modeldoc.agent import nodes
from modeldoc.agent.state import BuildContext, BuildInput, BuildState, SectionTask
from modeldoc.present.sections import SECTIONS

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph


def build_graph(
    *, facts_only: bool = False
) -> StateGraph[BuildState, BuildContext, BuildInput, BuildState]:
    """The uncompiled graph (see the module docstring); `facts_only` ends at the fact sheet."""
    graph = StateGraph(BuildState, context_schema=BuildContext, input_schema=BuildInput)
    graph.add_node("scan", nodes.scan)
    graph.add_node("model", nodes.model)
    graph.add_node("explain", nodes.explain)
    graph.add_node("plot_performance", nodes.plot_performance)
    graph.add_node("plot_explanations", nodes.plot_explanations)
    graph.add_node("assemble", nodes.assemble)
    graph.add_edge(START, "scan")
    graph.add_edge(START, "model")
    graph.add_edge("model", "plot_performance")
    graph.add_edge("model", "explain")
    graph.add_edge("explain", "plot_explanations")
    graph.add_edge(["scan", "plot_performance", "plot_explanations"], "assemble")
    if facts_only:
        graph.add_edge("assemble", END)
        return graph
    graph.add_node("draft_section", nodes.draft_section, input_schema=SectionTask)
    graph.add_node("collect", nodes.collect)
    graph.add_node("render", nodes.render)
    graph.add_conditional_edges("assemble", _each_section, ["draft_section"])
    graph.add_edge("draft_section", "collect")
    graph.add_edge("collect", "render")
    graph.add_edge("render", END)
    return graph


def _each_section(state: BuildState) -> list[Send]:
    """One drafting task per card section, each sent the facts."""
    facts, repo_path = state["facts"], state["repo_path"]
    return [
        Send("draft_section", SectionTask(section_id=spec.id, facts=facts, repo_path=repo_path))
        for spec in SECTIONS
    ]


def compile_graph(
    checkpointer: BaseCheckpointSaver[str] | None = None, *, facts_only: bool = False
) -> CompiledStateGraph[BuildState, BuildContext, BuildInput, BuildState]:
    """The runnable graph; with a checkpointer, a run can resume where it stopped."""
    return build_graph(facts_only=facts_only).compile(checkpointer=checkpointer)
