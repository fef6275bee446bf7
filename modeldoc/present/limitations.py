"""The limitations the facts show: computed once as items, listed by the offline writer's
"Limitations and risks" section and by the Model Card Toolkit JSON alike."""

from __future__ import annotations

from modeldoc.facts import FactSheet
from modeldoc.present.markdown import md_code, names
from modeldoc.present.metrics import headline_metric, metric_label, metric_text
from modeldoc.present.numbers import number
from modeldoc.present.phrases import slice_gap


def limitations(facts: FactSheet) -> list[str]:
    """Each limitation of the model or its evaluation that the facts show, one Markdown
    sentence each, most basic first (the model file, the results, the data, the code)."""
    return [
        *_model_file(facts),
        *_results(facts),
        *_data(facts),
        *_slices(facts),
        *_code(facts),
        *_explanations(facts),
    ]


def _model_file(facts: FactSheet) -> list[str]:
    checkpoint = facts.checkpoints[0] if facts.checkpoints else None
    if checkpoint is None:
        return []
    found = []
    if checkpoint.trusted_pickle:
        found.append(
            f"{md_code(checkpoint.file)} is a pickle, loaded only because the user trusted it "
            "(`--trust-pickle`): loading it runs any code it holds."
        )
    if not checkpoint.loaded:
        found.append(
            f"{md_code(checkpoint.file)} did not load, so nothing about its behaviour was measured."
        )
    return found


def _results(facts: FactSheet) -> list[str]:
    evaluation = facts.evaluation
    if evaluation is None or not evaluation.metrics:
        return []
    found = []
    headline = headline_metric(evaluation)
    if headline is not None and headline.ci_low is not None:
        found.append(
            f"The results rest on {number(evaluation.rows)} rows: {metric_text(headline)}, and "
            "the true value could lie anywhere in that interval."
        )
    brier = evaluation.metric("brier")
    reference = brier.reference if brier else None
    if brier and brier.value is not None and reference is not None:
        if brier.value >= reference:
            found.append(
                f"Its probabilities are poorly calibrated: Brier score {number(brier.value)}, "
                f"no better than {number(reference)} for always predicting the positive rate."
            )
        else:
            found.append(
                f"Calibration: Brier score {number(brier.value)} against {number(reference)} "
                "for always predicting the positive rate (see the calibration curve)."
            )
    unmeasured = [metric_label(m.name) for m in evaluation.metrics if m.value is None]
    if unmeasured:
        found.append(f"Not computed: {', '.join(unmeasured)}.")
    return found


def _data(facts: FactSheet) -> list[str]:
    found = []
    for profile in facts.data:
        if profile.label_counts and len(profile.label_counts) > 1:
            fewest = min(profile.label_counts.items(), key=lambda item: item[1])
            most = max(profile.label_counts.items(), key=lambda item: item[1])
            if fewest[1] * 2 < most[1]:
                found.append(
                    f"Labels are imbalanced: {md_code(fewest[0])} has {number(fewest[1])} rows "
                    f"against {number(most[1])} for {md_code(most[0])}."
                )
        if profile.missing:
            found.append(f"The evaluation data has missing values in {names(profile.missing)}.")
        if profile.column_check is not None and not profile.column_check.matches:
            found.append(
                "The evaluation data's columns differ from what the model expects "
                "(see Evaluation data)."
            )
    return found


def _slices(facts: FactSheet) -> list[str]:
    """The largest gap of each sensitive column."""
    found = []
    for report in facts.evaluation.slices if facts.evaluation else []:
        gaps = [(name, gap) for name, gap in report.largest_gap.items() if gap]
        if gaps:
            name, gap = max(gaps, key=lambda item: item[1])
            found.append(f"{slice_gap(name, report.column, gap)}.")
    return found


def _code(facts: FactSheet) -> list[str]:
    if not facts.code.conflicts:
        return []
    return [
        f"The code gives different values to {names(c.name for c in facts.code.conflicts)}; "
        "which one trained the saved model is not known from the code alone."
    ]


def _explanations(facts: FactSheet) -> list[str]:
    explanations = facts.explanations
    if explanations is None:
        return []
    found = []
    if explanations.stopped_by_time_budget:
        found.append(
            f"SHAP values cover {number(explanations.rows_explained)} rows: the explainer "
            "stopped at its time budget."
        )
    if explanations.additivity and not explanations.additivity.passed:
        found.append("The SHAP values do not add up to the model's output within tolerance.")
    return found
