"""Train the churn classifier on data/churn.csv and save it as model.skops."""

import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_calls"]
CATEGORICAL = ["contract", "payment_method", "internet_service"]
TARGET = "churned"

df = pd.read_csv("data/churn.csv")
X_train, X_test, y_train, y_test = train_test_split(
    df[NUMERIC + CATEGORICAL], df[TARGET], test_size=0.25, random_state=42, stratify=df[TARGET]
)

preprocess = ColumnTransformer(
    [
        ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
    ]
)
model = Pipeline(
    [
        ("preprocess", preprocess),
        ("classifier", HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=4, random_state=42)),
    ]
)
model.fit(X_train, y_train)

print(classification_report(y_test, model.predict(X_test)))
print("ROC-AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
sio.dump(model, "model.skops")
