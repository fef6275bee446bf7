"""The sections of a complete model card, in the order every output shows them.

Merged from Mitchell et al. (2019), the Model Card Toolkit schema, the Hugging Face template
and the EU AI Act's Annex IV (see the project's notes on what a complete card holds).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    """A card section: its stable id, its heading, and what it covers."""

    id: str
    title: str
    covers: str


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("model_details", "Model details",
                "what the model is and predicts, its framework, licence, owners and version"),
    SectionSpec("intended_use", "Intended use",
                "primary uses and users, out-of-scope uses"),
    SectionSpec("architecture", "Architecture and training",
                "architecture, objective, hyperparameters and training set-up, from the code"),
    SectionSpec("data", "Evaluation data",
                "the data the model was evaluated on: size, columns, missing values, labels"),
    SectionSpec("evaluation", "Evaluation results",
                "metrics with 95% confidence intervals, results per group, calibration"),
    SectionSpec("explanations", "What drives predictions",
                "SHAP explainer, global importance and direction, local examples"),
    SectionSpec("limitations", "Limitations and risks",
                "limitations derived from the facts, ethical considerations"),
    SectionSpec("getting_started", "How to use",
                "how to load the model file and predict"),
)  # fmt: skip

SECTIONS_BY_ID = {spec.id: spec for spec in SECTIONS}
