"""The offline writer: plain, specific prose composed from facts, with no key and no network.

Each section has one composer. A composer states only what the facts hold, shows every
number with `number()`, puts every name from the repository in a code span, and says
plainly what the facts cannot tell.
"""

from __future__ import annotations

from collections.abc import Callable

from modeldoc.facts import Checkpoint, Evaluation, FactSheet, Section
from modeldoc.present import limits
from modeldoc.present.card import code_value, data_value
from modeldoc.present.limitations import limitations
from modeldoc.present.markdown import md_code, md_text, names
from modeldoc.present.metrics import metric_number, metric_text
from modeldoc.present.numbers import number, percent, signed
from modeldoc.present.phrases import direction, fairness_differences, slice_gap
from modeldoc.present.sections import SectionSpec
from modeldoc.writing.prose import Draft, call_with_arguments, place, quoted

_FORMATS = {
    "xgboost-json": "an XGBoost JSON model",
    "xgboost-ubj": "an XGBoost UBJSON model",
    "lightgbm-text": "a LightGBM text model",
    "skops": "a skops file",
    "onnx": "an ONNX graph",
    "safetensors": "a safetensors weights file",
    "pickle": "a pickle",
    "compressed": "a compressed pickle (joblib)",
}


class OfflineWriter:
    """The default writer: deterministic prose from facts alone."""

    name = "offline"

    def write(self, spec: SectionSpec, facts: FactSheet) -> Section:
        """The section `spec` names, composed from `facts`."""
        draft = Draft()
        _COMPOSERS[spec.id](facts, draft)
        return Section(id=spec.id, title=spec.title, text=draft.text, writer=self.name,
                       missing=draft.missing)  # fmt: skip


def _checkpoint(facts: FactSheet) -> Checkpoint | None:
    return facts.checkpoints[0] if facts.checkpoints else None


def _model_details(facts: FactSheet, draft: Draft) -> None:
    stated = facts.stated
    name = md_text(stated.name) if stated and stated.name else md_code(facts.repo.name)
    checkpoint = _checkpoint(facts)
    evaluation = facts.evaluation
    kind = _kind(evaluation)
    if checkpoint is None:
        draft.add(f"{name} is documented from its code only: no model file was given.")
    elif not checkpoint.loaded:
        draft.add(
            f"{name} is saved in {md_code(checkpoint.file)} "
            f"({_FORMATS.get(checkpoint.format, md_code(checkpoint.format))}), which could not "
            f"be loaded: {md_text(checkpoint.not_loaded_reason or 'no reason was given')}."
        )
    else:
        what = f"a {kind}" if kind else "a model"
        details = []
        if checkpoint.estimator:
            details.append(f"class {md_code(checkpoint.estimator)}")
        if checkpoint.objective:
            details.append(f"objective {md_code(checkpoint.objective)}")
        if checkpoint.n_trees is not None:
            details.append(f"{number(checkpoint.n_trees)} trees")
        if checkpoint.n_features is not None:
            details.append(f"{number(checkpoint.n_features)} input features")
        draft.add(
            f"{name} is {what} saved in {md_code(checkpoint.file)} as "
            f"{_FORMATS.get(checkpoint.format, md_code(checkpoint.format))}"
            + (f" ({', '.join(details)})." if details else ".")
        )
    target = facts.data[0].target if facts.data else None
    if target and evaluation and evaluation.task == "classification" and evaluation.labels:
        draft.add(f"It predicts {md_code(target)}, one of {names(evaluation.labels)}.")
    elif target and evaluation and evaluation.task == "regression":
        draft.add(f"It predicts the value of {md_code(target)}.")
    if stated and stated.description:
        draft.add("Its owners describe it as follows.")
        draft.paragraphs.append(quoted(stated.description))
    readme = facts.repo.readme
    if readme and readme.summary:
        draft.add(f"The repository's {md_code(readme.file)} says:")
        draft.paragraphs.append(quoted(readme.summary))
    licence = next((item.spdx for item in facts.repo.licenses if item.spdx), None)
    licence = licence or (stated.license if stated else None)
    if licence:
        draft.add(f"Licence: {md_code(licence)}.")
    else:
        draft.unknown("licence", "No licence was found in the repository or stated.")
    absent = [
        label
        for label, value in (
            ("owners", stated.owners if stated else None),
            ("version", stated.version if stated else None),
            ("contact", stated.contact if stated else None),
        )
        if not value
    ]
    if stated and stated.owners:
        draft.add(f"Owners: {', '.join(md_text(owner) for owner in stated.owners)}.")
    if stated and stated.version:
        draft.add(f"Version: {md_text(stated.version)}.")
    if stated and stated.contact:
        draft.add(f"Contact: {md_text(stated.contact)}.")
    if absent:
        draft.unknown(
            ", ".join(absent),
            f"Not stated: {', '.join(absent)} (add them under `card` in `modeldoc.yml`).",
        )


def _kind(evaluation: Evaluation | None) -> str | None:
    if evaluation is None or evaluation.task is None:
        return None
    if evaluation.task == "regression":
        return "regressor"
    if len(evaluation.labels) == 2:
        return "binary classifier"
    return "multiclass classifier"


def _intended_use(facts: FactSheet, draft: Draft) -> None:
    stated = facts.stated
    for label, items in (
        ("Intended uses", stated.intended_uses if stated else []),
        ("Intended users", stated.intended_users if stated else []),
        ("Out-of-scope uses", stated.out_of_scope_uses if stated else []),
    ):
        if items:
            draft.add(f"{label}, as its owners state them:")
            draft.bullets(md_text(item) for item in items)
        else:
            draft.unknown(label.lower(), f"{label} are not stated in `modeldoc.yml`.")


def _architecture(facts: FactSheet, draft: Draft) -> None:
    code, repo = facts.code, facts.repo
    for model in code.models[: limits.MODELS_DESCRIBED]:
        layers = list(dict.fromkeys(layer.callee for layer in model.layers))
        built = f" It builds {names(layers[: limits.LAYERS_NAMED])}." if layers else ""
        draft.add(
            f"{md_code(model.name)} is a {md_text(model.framework.value)} "
            f"{model.kind.replace('_', ' ')} "
            f"defined at {place(model.source, repo)}.{built}"
        )
    checkpoint = _checkpoint(facts)
    if checkpoint is not None and checkpoint.steps:
        steps = ", then ".join(
            f"{md_code(step.name)} ({md_code(step.estimator)})" for step in checkpoint.steps
        )
        draft.add(f"The saved model is a pipeline: {steps}.")
    for role in ("estimator", "pipeline", "optimizer", "scheduler", "loss", "trainer"):
        made_here = [item for item in code.instantiations if item.role == role]
        for made in made_here[: limits.CALLS_PER_ROLE]:
            draft.add(f"{place(made.source, repo)} creates the {role} {call_with_arguments(made)}.")
    scripts = [script for script in code.scripts if any(r.role == "training" for r in script.roles)]
    if scripts:
        draft.add(f"Training code: {names(script.file for script in scripts)}.")
    for split in code.splits[: limits.SPLITS_DESCRIBED]:
        parts = []
        if split.test_size is not None:
            parts.append(f"a test share of {code_value(split.test_size)}")
        if split.n_splits is not None:
            parts.append(f"{code_value(split.n_splits)} folds")
        if split.seed is not None:
            parts.append(f"seed {code_value(split.seed)}")
        described = " with " + " and ".join(parts) if parts else ""
        draft.add(
            f"{place(split.source, repo)} splits the data with {md_code(split.callee)}{described}."
        )
    for conflict in code.conflicts:
        values = "; ".join(
            f"{code_value(h.value)} at {place(h.source, repo)}" for h in conflict.values
        )
        draft.add(f"{md_code(conflict.name)} has different values in the code: {values}.")
    if not (code.models or code.instantiations or checkpoint):
        draft.unknown("architecture", "The code defines no model modeldoc recognises.")


def _data(facts: FactSheet, draft: Draft) -> None:
    stated = facts.stated
    if stated and stated.training_data:
        draft.add("Training data, as its owners describe it:")
        draft.paragraphs.append(quoted(stated.training_data))
    else:
        draft.unknown("training data", "The training data is not described in `modeldoc.yml`.")
    for code_source in facts.code.data_sources[: limits.DATA_SOURCES_NAMED]:
        draft.add(
            f"The code reads data at {place(code_source.source, facts.repo)} with "
            f"{md_code(code_source.callee)}."
        )
    if not facts.data:
        draft.unknown("evaluation data", "No evaluation data was given.")
        return
    for profile in facts.data:
        draft.add(
            f"The evaluation data {md_code(profile.file)} ({profile.format.upper()}) has "
            f"{number(profile.rows)} rows"
            + (f"; the target is {md_code(profile.target)}." if profile.target else ".")
        )
        if profile.label_counts:
            counts = ", ".join(
                f"{md_code(label)} {number(count)}" for label, count in profile.label_counts.items()
            )
            draft.add(f"Rows per label: {counts}.")
        if profile.missing:
            gaps = ", ".join(f"{md_code(col)} {number(n)}" for col, n in profile.missing.items())
            draft.add(f"Missing values: {gaps}.")
        check = profile.column_check
        if check is not None and check.missing:
            draft.add(f"It lacks features the model expects: {names(check.missing)}.")
        if check is not None and check.extra:
            draft.add(f"Columns the model does not use: {names(check.extra)}.")
        if check is not None and check.reordered:
            draft.add("Its columns are in another order than the model's; they are taken by name.")


def _evaluation(facts: FactSheet, draft: Draft) -> None:
    evaluation = facts.evaluation
    if evaluation is None:
        draft.unknown(
            "evaluation", "The model was not evaluated: no model file and data were given together."
        )
        return
    if evaluation.not_computed:
        draft.add(f"No metric was computed: {md_text(evaluation.not_computed)}.")
        return
    lead = f"On {number(evaluation.rows)} evaluation rows"
    if evaluation.bootstrap_resamples:
        # Says what the intervals are, not how they look: that is `INTERVAL_FORMAT`'s.
        lead += (
            f", each metric with its {percent(evaluation.confidence_level)} percentile "
            f"bootstrap interval (over {number(evaluation.bootstrap_resamples)} resamples, "
            f"seed {number(evaluation.bootstrap_seed)}) where one was computed"
        )
    draft.add(f"{lead}:")
    draft.bullets(metric_text(metric, markdown=True) for metric in evaluation.metrics)
    if evaluation.row_notes:
        held = (
            f"The data holds {number(evaluation.data_rows)} rows: "
            if evaluation.data_rows is not None
            else "Of the data's rows: "
        )
        draft.add(held + "; ".join(md_text(note) for note in evaluation.row_notes) + ".")
    for report in evaluation.slices:
        for name, gap in report.largest_gap.items():
            values = [(group.value, group.metrics.get(name)) for group in report.groups]
            known = [(value, score) for value, score in values if score is not None]
            if gap is None or not known:
                continue
            low = min(known, key=lambda item: item[1])
            high = max(known, key=lambda item: item[1])
            draft.add(
                f"{slice_gap(name, report.column, gap)}: from {metric_number(name, low[1])} "
                f"({md_code(low[0])}) to {metric_number(name, high[1])} ({md_code(high[0])})."
            )
        draft.add(*fairness_differences(report))


def _explanations(facts: FactSheet, draft: Draft) -> None:
    explanations = facts.explanations
    if explanations is None:
        draft.unknown("explanations", "No SHAP explanations were computed.")
        return
    if explanations.not_computed or explanations.explainer is None:
        draft.add(
            f"SHAP explanations could not be computed: {md_text(explanations.not_computed or '')}."
        )
        return
    draft.add(
        f"SHAP values come from the {explanations.explainer} explainer "
        f"({md_text(explanations.why_explainer or '')}) and explain the "
        f"{md_text(explanations.output or 'model output')}, on "
        f"{number(explanations.rows_explained)} "
        f"of {number(explanations.rows_available)} evaluation rows."
    )
    additivity = explanations.additivity
    if additivity is not None:
        verdict = "within" if additivity.passed else "outside"
        draft.add(
            f"Base value plus SHAP values reproduces the model's own output "
            f"({md_code(additivity.compared_with)}) to {number(additivity.max_error)}, "
            f"{verdict} the tolerance of {number(additivity.tolerance)}."
        )
    top = explanations.importance[: limits.FEATURES_NAMED]
    if top:
        draft.add("The features that move predictions most (mean |SHAP value|):")
        draft.bullets(
            f"{md_code(item.feature)} {number(item.mean_abs_shap)}, "
            f"{direction(item.value_shap_correlation)}"
            for item in top
        )
    for local in explanations.local:
        largest = ", ".join(
            f"{md_code(c.feature)} = {data_value(c.value)} ({signed(c.shap)})"
            for c in local.contributions[: limits.CONTRIBUTIONS_NAMED]
        )
        draft.add(
            f"Row {number(local.row)} ({md_text(local.reason)}; "
            f"actual {data_value(local.actual)}, "
            f"predicted {data_value(local.predicted)}): output {number(local.output)} against a "
            f"base value of {number(local.base_value)}; the largest contributions are {largest}."
        )
    draft.add(
        "SHAP values describe how this model's output depends on its inputs on these rows; they "
        "are not causal effects in the world."
    )


def _limitations(facts: FactSheet, draft: Draft) -> None:
    found = limitations(facts)
    if found:
        draft.add("What the facts show about the limits of this model and its evaluation:")
        draft.bullets(found)
    stated = facts.stated
    if stated and stated.ethical_considerations:
        draft.add("Ethical considerations, as its owners state them:")
        draft.bullets(md_text(item) for item in stated.ethical_considerations)
    else:
        draft.unknown(
            "ethical considerations", "Ethical considerations are not stated in `modeldoc.yml`."
        )


_LOADERS = {
    "xgboost-json": ("import xgboost", "model = xgboost.Booster()\nmodel.load_model({file!r})"),
    "xgboost-ubj": ("import xgboost", "model = xgboost.Booster()\nmodel.load_model({file!r})"),
    "lightgbm-text": ("import lightgbm", "model = lightgbm.Booster(model_file={file!r})"),
    "skops": (
        "import skops.io",
        "# Review the types a skops file needs before trusting them.\n"
        "types = skops.io.get_untrusted_types(file={file!r})\n"
        "model = skops.io.load({file!r}, trusted=types)",
    ),
    "onnx": ("import onnxruntime", "session = onnxruntime.InferenceSession({file!r})"),
    "safetensors": ("from safetensors.numpy import load_file", "weights = load_file({file!r})"),
}


def _getting_started(facts: FactSheet, draft: Draft) -> None:
    checkpoint = _checkpoint(facts)
    if checkpoint is None or checkpoint.format not in _LOADERS:
        draft.unknown(
            "how to load the model", "modeldoc has no loading example for this model file."
        )
        return
    imports, body = _LOADERS[checkpoint.format]
    draft.add(f"Load {md_code(checkpoint.file)} with its library:")
    draft.paragraphs.append(f"```python\n{imports}\n\n{body.format(file=checkpoint.file)}\n```")


_COMPOSERS: dict[str, Callable[[FactSheet, Draft], None]] = {
    "model_details": _model_details,
    "intended_use": _intended_use,
    "architecture": _architecture,
    "data": _data,
    "evaluation": _evaluation,
    "explanations": _explanations,
    "limitations": _limitations,
    "getting_started": _getting_started,
}
