"""The graph runs the scan as its first node, with or without a checkpointer."""

from __future__ import annotations

from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from modeldoc import __version__
from modeldoc.agent.graph import build_graph, compile_graph
from modeldoc.facts import FactSheet

MODEL = """\
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.fc = nn.Linear(8, hidden)
"""


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def test_scan_and_model_start_side_by_side() -> None:
    graph = build_graph()
    edges = {(edge[0], edge[1]) for edge in graph.edges}
    assert {("__start__", "scan"), ("__start__", "model")} <= edges
    # The metric plots do not wait for SHAP; the fact sheet waits for everything.
    assert ("model", "plot_performance") in edges and ("model", "explain") in edges
    assert ("explain", "plot_performance") not in edges


def test_run_without_checkpointer(tmp_path: Path) -> None:
    state = compile_graph().invoke({"repo_path": str(_repo(tmp_path))})
    facts = state["facts"]
    assert isinstance(facts, FactSheet)
    assert facts.generator.version == __version__
    assert [model.name for model in facts.code.models] == ["Net"]
    assert facts.provenance.libraries["tree-sitter"]


def test_checkpointer_keeps_the_fact_sheet(tmp_path: Path) -> None:
    saver = InMemorySaver()
    config = {"configurable": {"thread_id": "build-1"}}
    compile_graph(saver).invoke({"repo_path": str(_repo(tmp_path))}, config)
    # A new graph on the same checkpointer sees the finished state: nothing left to run.
    snapshot = compile_graph(saver).get_state(config)
    assert snapshot.next == ()
    facts = snapshot.values["facts"]
    assert isinstance(facts, FactSheet)
    assert facts.code.models[0].layers[0].callee == "nn.Linear"


def test_fact_sheet_round_trips_through_json(tmp_path: Path) -> None:
    facts = compile_graph().invoke({"repo_path": str(_repo(tmp_path))})["facts"]
    assert FactSheet.model_validate_json(facts.model_dump_json()) == facts
