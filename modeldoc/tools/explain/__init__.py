"""SHAP explanations of a loaded model on the evaluation data."""
