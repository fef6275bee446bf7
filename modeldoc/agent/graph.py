"""The LangGraph graph: wiring only; the work lives in `nodes.py` and the tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from langgraph.graph import END, START, StateGraph

from modeldoc.agent import nodes
from modeldoc.agent.state import BuildInput, BuildState

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph


def build_graph() -> StateGraph[BuildState, None, BuildInput, BuildState]:
    """The uncompiled graph: scan, then the model (checkpoint, data, metrics)."""
    graph = StateGraph(BuildState, input_schema=BuildInput)
    graph.add_node("scan", nodes.scan)
    graph.add_node("model", nodes.model)
    graph.add_edge(START, "scan")
    graph.add_edge("scan", "model")
    graph.add_edge("model", END)
    return graph


def compile_graph(
    checkpointer: BaseCheckpointSaver[str] | None = None,
) -> CompiledStateGraph[BuildState, None, BuildInput, BuildState]:
    """The runnable graph; with a checkpointer, a run can resume where it stopped."""
    return build_graph().compile(checkpointer=checkpointer)
