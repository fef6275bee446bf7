"""The LangGraph graph: wiring only; the work lives in `nodes.py` and the tools.

    START ─┬─ scan ───────────────────────────────────────────┐
           └─ model ─┬─ plot_performance ─────────────────────┼─ assemble ─ write ─ render ─ END
                     └─ explain ─ plot_explanations ──────────┘

The scan and the model step share nothing and run in parallel, as do the metric plots and
the SHAP computation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langgraph.graph import END, START, StateGraph

from modeldoc.agent import nodes
from modeldoc.agent.state import BuildContext, BuildInput, BuildState

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph


def build_graph() -> StateGraph[BuildState, BuildContext, BuildInput, BuildState]:
    """The uncompiled graph (see the module docstring)."""
    graph = StateGraph(BuildState, context_schema=BuildContext, input_schema=BuildInput)
    graph.add_node("scan", nodes.scan)
    graph.add_node("model", nodes.model)
    graph.add_node("explain", nodes.explain)
    graph.add_node("plot_performance", nodes.plot_performance)
    graph.add_node("plot_explanations", nodes.plot_explanations)
    graph.add_node("assemble", nodes.assemble)
    graph.add_node("write", nodes.write)
    graph.add_node("render", nodes.render)
    graph.add_edge(START, "scan")
    graph.add_edge(START, "model")
    graph.add_edge("model", "plot_performance")
    graph.add_edge("model", "explain")
    graph.add_edge("explain", "plot_explanations")
    graph.add_edge(["scan", "plot_performance", "plot_explanations"], "assemble")
    graph.add_edge("assemble", "write")
    graph.add_edge("write", "render")
    graph.add_edge("render", END)
    return graph


def compile_graph(
    checkpointer: BaseCheckpointSaver[str] | None = None,
) -> CompiledStateGraph[BuildState, BuildContext, BuildInput, BuildState]:
    """The runnable graph; with a checkpointer, a run can resume where it stopped."""
    return build_graph().compile(checkpointer=checkpointer)
