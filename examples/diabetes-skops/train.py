"""Train a ridge regression pipeline on scikit-learn's diabetes data (shipped with
scikit-learn) and save it with skops, with a held-out test set."""

from pathlib import Path

import skops.io as sio
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).parent

frame = load_diabetes(as_frame=True, scaled=False).frame
train, test = train_test_split(frame, test_size=0.2, random_state=7)
features = [column for column in frame.columns if column != "target"]

model = Pipeline([("scale", StandardScaler()), ("ridge", Ridge(alpha=1.0))])
model.fit(train[features], train["target"])
sio.dump(model, HERE / "model.skops")
test.to_csv(HERE / "test.csv", index=False)
