"""Train a gradient-boosted classifier on scikit-learn's breast cancer data (Wisconsin
diagnostic, shipped with scikit-learn) and save it as XGBoost JSON with a held-out test set."""

from pathlib import Path

import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

HERE = Path(__file__).parent
TEST_SIZE = 0.25
SEED = 42

frame = load_breast_cancer(as_frame=True).frame
train, test = train_test_split(frame, test_size=TEST_SIZE, random_state=SEED, stratify=frame["target"])
features = [column for column in frame.columns if column != "target"]

model = xgb.XGBClassifier(n_estimators=100, max_depth=3, learning_rate=0.1, subsample=0.9, random_state=SEED)
model.fit(train[features], train["target"])
model.save_model(HERE / "model.json")
test.to_csv(HERE / "test.csv", index=False)
