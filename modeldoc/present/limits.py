"""How many items of a kind an output names before it stops: every cut in one place, so a
list is cut the same wherever it is shown."""

MODELS_DESCRIBED = 5
"""Model definitions the card describes one by one."""
LAYERS_NAMED = 8
"""Distinct layers named for one model definition."""
CALLS_PER_ROLE = 3
"""Estimators, optimizers, losses ... of one role the card names with their arguments."""
SPLITS_DESCRIBED = 3
"""Train/test splits the card describes."""
DATA_SOURCES_NAMED = 3
"""Places where the code reads data that the card names."""
FEATURES_NAMED = 5
"""Most important features the card lists with their mean |SHAP value|."""
FEATURES_IN_ALT = 3
"""Most important features an importance plot's alt text names."""
CONTRIBUTIONS_NAMED = 3
"""Largest contributions a sentence about one explained row names (card, waterfall alt)."""
CONTRIBUTIONS_LISTED = 5
"""Largest contributions the site lists for one explained row, one line each."""
