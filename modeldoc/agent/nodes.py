"""Graph nodes: thin wrappers that call a tool and return the facts they add to the state."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from langgraph.runtime import Runtime

from modeldoc import __version__
from modeldoc.agent.reuse import stored_results
from modeldoc.agent.state import BuildContext, BuildState, SectionTask
from modeldoc.agent.workspace import Workspace
from modeldoc.atomic import write_atomically
from modeldoc.facts import FactSheet, Generator, Narrative, Reuse
from modeldoc.present.sections import SECTIONS, SECTIONS_BY_ID
from modeldoc.render.hf_card import render_hf_card
from modeldoc.render.mct import write_mct
from modeldoc.render.site import write_site
from modeldoc.tools.plots.explanations import explanation_plots
from modeldoc.tools.plots.performance import performance_plots
from modeldoc.tools.provenance import current_provenance
from modeldoc.tools.scan import scan_repository
from modeldoc.tools.secrets import redact_model
from modeldoc.writing.offline import OfflineWriter
from modeldoc.writing.verify import index_facts, verify_section


def _workspace(runtime: Runtime[BuildContext]) -> Workspace | None:
    """The run's in-memory results; None when the graph runs without them (scan only)."""
    return runtime.context.workspace if runtime.context else None


def scan(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """Read the repository's code (files an earlier scan saw unchanged are not parsed)."""
    workspace = _workspace(runtime)
    cache = workspace.scan_cache if workspace is not None else None
    result = scan_repository(Path(state["repo_path"]), cache_folder=cache)
    return {"repo": result.repo, "code": result.code, "files_from_cache": result.files_from_cache}


def model(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """Load the checkpoint, profile the data, evaluate (runs beside the scan)."""
    workspace = _workspace(runtime)
    if workspace is None:
        return {}
    reused = workspace.reused()
    if reused is not None:
        return {"checkpoints": reused.checkpoints, "data": reused.data,
                "evaluation": reused.evaluation}  # fmt: skip
    found = workspace.model()
    return {"checkpoints": found.checkpoints, "data": found.data, "evaluation": found.evaluation}


def explain(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """SHAP explanations of the evaluated model."""
    workspace = _workspace(runtime)
    reused = workspace.reused() if workspace is not None else None
    if reused is not None:
        return {"explanations": reused.explanations}
    result = workspace.shap() if workspace is not None else None
    return {"explanations": result.facts if result is not None else None}


def plot_performance(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """Confusion matrix, ROC, precision-recall, calibration; or the regression plots (and,
    from an earlier build's results, every plot)."""
    workspace = _workspace(runtime)
    if workspace is None or workspace.out_dir is None:
        return {"plots": []}
    reused = workspace.reused()
    if reused is not None:
        return {"plots": reused.write_plots(workspace.out_dir)}
    found = workspace.model()
    evaluated = found.evaluated
    if evaluated is None or found.evaluation is None:
        return {"plots": []}
    labels = evaluated.predictions.labels
    positive = labels[1] if labels is not None and len(labels) == 2 else None
    drawn = performance_plots(
        found.evaluation, evaluated.y_true, evaluated.predictions.y_pred, workspace.out_dir,
        proba=evaluated.predictions.proba, labels=labels, positive_label=positive,
    )  # fmt: skip
    return {"plots": drawn.plots}


def plot_explanations(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """SHAP bar, beeswarm, dependence and waterfall plots."""
    workspace = _workspace(runtime)
    if workspace is None or workspace.out_dir is None or workspace.reused() is not None:
        return {"plots": []}
    result = workspace.shap()
    return {"plots": explanation_plots(result, workspace.out_dir) if result else []}


def assemble(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """The fact sheet, from every part the other nodes computed, with secrets redacted; the
    model results kept for later builds.

    The computation before this point used the real column names and labels (the model needs
    them); everything after it (writer, LLM, verifier, renderers, the results cache) sees only
    the redacted facts."""
    workspace = _workspace(runtime)
    plots = sorted(state.get("plots", []), key=lambda plot: plot.file)
    provenance = current_provenance().model_copy(update={"reuse": _reuse(state, workspace)})
    facts = FactSheet(
        generator=Generator(version=__version__),
        repo=state["repo"],
        code=state["code"],
        checkpoints=state.get("checkpoints", []),
        data=state.get("data", []),
        evaluation=state.get("evaluation"),
        explanations=state.get("explanations"),
        plots=plots,
        stated=settings.card if (settings := state.get("settings")) is not None else None,
        gates=settings.gates if settings is not None else None,
        provenance=provenance,
    )
    facts = redact_model(facts)
    if workspace is not None and workspace.out_dir is not None and workspace.keeps_results:
        workspace.remember(
            stored_results(facts.checkpoints, facts.data, facts.evaluation,
                           facts.explanations, facts.plots, workspace.out_dir)
        )  # fmt: skip
    return {"facts": facts}


def _reuse(state: BuildState, workspace: Workspace | None) -> Reuse:
    """What this build computed and what it reused (see `Reuse`)."""
    code = state.get("code")
    from_cache = state.get("files_from_cache", 0)
    model_results: Literal["computed", "reused", "none"] = "none"
    if workspace is not None and workspace.reused() is not None:
        model_results = "reused"
    elif workspace is not None and workspace.computed_model:
        model_results = "computed"
    return Reuse(
        files_parsed=(sum(code.languages.values()) if code else 0) - from_cache,
        files_from_cache=from_cache,
        model_results=model_results,
        shap_computed=workspace is not None and workspace.computed_shap,
    )


def draft_section(state: SectionTask, runtime: Runtime[BuildContext]) -> BuildState:
    """One card section: the offline writer's text, checked by the verifier; with a chat
    model configured, the model's draft of it, checked the same way (see `llm.drafting`)."""
    facts = state["facts"]
    spec = SECTIONS_BY_ID[state["section_id"]]
    index = index_facts(facts)
    section = verify_section(OfflineWriter().write(spec, facts), index)
    session = runtime.context.llm if runtime.context else None
    if session is not None:
        section = session.drafter(facts, Path(state["repo_path"]), index).draft(spec, section)
    return {"sections": [section]}


def collect(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """The card's narrative from every drafted section, in the card's order, and what the
    LLM cost in provenance."""
    facts = state["facts"]
    drafted = {section.id: section for section in state.get("sections", [])}
    sections = [drafted[spec.id] for spec in SECTIONS if spec.id in drafted]
    session = runtime.context.llm if runtime.context else None
    if session is None:
        narrative = Narrative(writer=OfflineWriter.name, sections=sections)
        return {"facts": facts.model_copy(update={"narrative": narrative})}
    from modeldoc.llm.session import llm_run

    run = llm_run(session, sections)
    narrative = Narrative(writer=run.model, sections=sections)
    provenance = facts.provenance.model_copy(update={"llm": run})
    return {"facts": facts.model_copy(update={"narrative": narrative, "provenance": provenance})}


def render(state: BuildState, runtime: Runtime[BuildContext]) -> BuildState:
    """The outputs people read: facts.json, MODEL_CARD.md, model_card.json, the site; all from
    the facts with secrets redacted (again: the LLM's prose came after `assemble`)."""
    facts = redact_model(state["facts"])
    workspace = _workspace(runtime)
    if workspace is None or workspace.out_dir is None:
        return {"facts": facts}
    out = workspace.out_dir
    write_atomically(out / "facts.json", facts.model_dump_json(indent=2) + "\n")
    card = render_hf_card(facts)
    write_atomically(out / "MODEL_CARD.md", card)
    write_mct(facts, out)
    write_site(facts, out, card_markdown=card, build_html=workspace.settings.site)
    return {"facts": facts}
