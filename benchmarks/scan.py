"""Scan speed: a synthetic repository of realistic model and training code, scanned and parsed.

Prints, from one run: the scan's files/s and MB/s in one process (the first, cold scan and
the best of three) and with one worker process per core,
a bare tree-sitter parse of the same files (the baseline), their ratio, the scan's peak memory
growth, and the time of the whole `modeldoc scan --json` command.

    python benchmarks/scan.py [--files 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tree_sitter import Parser

from modeldoc.tools.code.python import LANGUAGE
from modeldoc.tools.scan import scan_repository

TARGET_FILE_BYTES = 6_000

MODEL = '''
class {name}Block(nn.Module):
    """One residual block of {name}."""

    def __init__(self, dim, heads={heads}, dim_head={dim_head}, dropout={dropout}):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.ff = nn.Sequential(
            nn.Linear(dim, {hidden}, bias=False),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear({hidden}, dim, bias=False),
        )

    def forward(self, x, mask=None):
        h = self.norm(x)
        attended, _ = self.attn(h, h, h, attn_mask=mask, need_weights=False)
        x = x + attended
        return x + self.ff(self.norm(x))


class {name}(nn.Module):
    def __init__(self, config: {name}Config):
        super().__init__()
        self.embed = nn.Embedding(config.vocab_size, config.dim)
        self.blocks = nn.ModuleList([{name}Block(config.dim) for _ in range(config.depth)])
        self.head = nn.Linear(config.dim, config.num_classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=1))
'''

CONFIG = """
@dataclass
class {name}Config:
    vocab_size: int = {vocab}
    dim: int = {dim}
    depth: int = {depth}
    num_classes: int = {classes}
    dropout: float = {dropout}
    learning_rate: float = {lr}
"""

TRAIN = '''
def train_{name_lower}(args):
    """Train {name} for the given number of epochs and return the best validation loss."""
    config = {name}Config(depth=args.depth, dropout={dropout})
    model = {name}(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr={lr}, weight_decay={wd})
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max={epochs})
    loss_fn = nn.CrossEntropyLoss(label_smoothing={smoothing})
    best = float("inf")
    for epoch in range({epochs}):
        model.train()
        for tokens, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(tokens), labels)
            loss.backward()
            optimizer.step()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            val = sum(loss_fn(model(t), y).item() for t, y in val_loader) / len(val_loader)
        if val < best:
            best = val
            torch.save(model.state_dict(), "checkpoints/{name_lower}_best.pt")
        print(f"epoch {{epoch}}: validation loss {{val:.4f}}")
    return best
'''

SKLEARN = """
def fit_{name_lower}_baseline(path="data/{name_lower}.csv"):
    frame = pd.read_csv(path)
    features = frame.drop(columns=["label"])
    X_train, X_test, y_train, y_test = train_test_split(
        features, frame["label"], test_size={test_size}, random_state={seed}
    )
    pipeline = Pipeline([
        ("scale", StandardScaler()),
        ("model", RandomForestClassifier(n_estimators={trees}, max_depth={depth}, n_jobs=-1)),
    ])
    pipeline.fit(X_train, y_train)
    score = accuracy_score(y_test, pipeline.predict(X_test))
    joblib.dump(pipeline, "models/{name_lower}.joblib")
    return score
"""

ARGS = """
def parse_args():
    parser = argparse.ArgumentParser(description="Train {name}.")
    parser.add_argument("--depth", type=int, default={depth})
    parser.add_argument("--batch-size", type=int, default={batch})
    parser.add_argument("--lr", type=float, default={lr})
    parser.add_argument("--data-dir", default="data/{name_lower}")
    return parser.parse_args()
"""

# Real repositories are not all declarations: helpers, data handling, comments and docstrings
# make up about half of their text. These fillers give the synthetic files that mix.
UTILS = '''

# ---------------------------------------------------------------------------------------
# Helpers for {name}: metrics, formatting and bookkeeping used by the training loop.
# ---------------------------------------------------------------------------------------


def running_mean_{name_lower}(values, window={batch}):
    """Mean of the last `window` values; used to smooth the logged training loss.

    The first values are averaged over what exists so far, so the curve starts at the
    first loss instead of at zero.
    """
    if not values:
        return 0.0
    tail = values[-window:]
    return sum(tail) / len(tail)


def format_metrics_{name_lower}(step, metrics, precision=4):
    """One log line: the step, then each metric name and value in a stable order."""
    parts = [f"step {{step:>6}}"]
    for key in sorted(metrics):
        value = metrics[key]
        if isinstance(value, float):
            parts.append(f"{{key}}={{value:.{{precision}}f}}")
        else:
            parts.append(f"{{key}}={{value}}")
    return " | ".join(parts)


def split_batches_{name_lower}(items, size={batch}, drop_last=False):
    """Yield lists of `size` items; the last short batch is kept unless `drop_last`."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch and not drop_last:
        yield batch
'''

DATA = '''

class {name}Vocabulary:
    """Maps characters to integer ids and back; built once from the training text."""

    def __init__(self, text, reserved=("<pad>", "<unk>")):
        # Reserved symbols come first so their ids do not depend on the corpus.
        self.symbols = list(reserved) + sorted(set(text) - set(reserved))
        self.index = {{symbol: i for i, symbol in enumerate(self.symbols)}}

    def __len__(self):
        return len(self.symbols)

    def encode(self, text):
        unknown = self.index["<unk>"]
        return [self.index.get(ch, unknown) for ch in text]

    def decode(self, ids):
        return "".join(self.symbols[i] for i in ids if 0 <= i < len(self.symbols))


def windows_{name_lower}(ids, block={dim}, stride=None):
    """Overlapping windows of `block` ids with the next-id targets; `stride` defaults to half."""
    stride = stride or block // 2
    for start in range(0, max(len(ids) - block - 1, 0), stride):
        chunk = ids[start : start + block + 1]
        yield chunk[:-1], chunk[1:]
'''

HEADER = '''"""{name}: generated for the modeldoc scan benchmark."""

import argparse
import os
from dataclasses import dataclass

import joblib
import pandas as pd
import torch
import torch.nn as nn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

learning_rate = {lr}
batch_size = {batch}
'''


def _fill(template: str, rng: random.Random, index: int) -> str:
    name = f"Net{index}x{rng.randrange(1000)}"
    return template.format(
        name=name,
        name_lower=name.lower(),
        heads=rng.choice([4, 8, 12, 16]),
        dim_head=rng.choice([32, 64]),
        dropout=rng.choice([0.0, 0.1, 0.2]),
        hidden=rng.choice([1024, 2048, 3072]),
        vocab=rng.choice([32000, 50257, 65]),
        dim=rng.choice([256, 384, 512, 768]),
        depth=rng.randrange(2, 24),
        classes=rng.randrange(2, 100),
        lr=rng.choice(["3e-4", "1e-3", "6e-4"]),
        wd=rng.choice([0.01, 0.1]),
        epochs=rng.randrange(5, 50),
        smoothing=rng.choice([0.0, 0.1]),
        test_size=rng.choice([0.2, 0.25]),
        seed=rng.randrange(100),
        trees=rng.choice([100, 200, 500]),
        batch=rng.choice([16, 32, 64]),
    )


def generate(root: Path, files: int, seed: int = 0) -> int:
    """Write `files` Python files of about 6 KB each under `root`; return the bytes written."""
    rng = random.Random(seed)
    # Half declarations (models, configs, training), half helpers, as in real repositories.
    bodies = (CONFIG, MODEL, TRAIN, SKLEARN, ARGS, UTILS, DATA, UTILS, DATA, UTILS)
    total = 0
    for index in range(files):
        parts = [_fill(HEADER, rng, index)]
        while sum(len(part) for part in parts) < TARGET_FILE_BYTES:
            parts.append(_fill(rng.choice(bodies), rng, index + len(parts)))
        folder = root / f"pkg{index % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        data = "".join(parts).encode()
        (folder / f"module_{index}.py").write_bytes(data)
        total += len(data)
    return total


def bare_parse(root: Path) -> float:
    """Seconds to read and parse every Python file with tree-sitter, and nothing else."""
    parser = Parser(LANGUAGE)
    start = time.perf_counter()
    for path in sorted(root.rglob("*.py")):
        parser.parse(path.read_bytes())
    return time.perf_counter() - start


def _timed_scan(root: Path, workers: int) -> float:
    start = time.perf_counter()
    scan_repository(root, workers)
    return time.perf_counter() - start


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--files", type=int, default=1000)
    options.add_argument("--keep", type=Path, help="write the repository here and keep it")
    args = options.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="modeldoc-bench-"))
    try:
        size = generate(root, args.files)
        megabytes = size / 1e6
        print(f"repository: {args.files} files, {megabytes:.2f} MB of Python")

        rss_before = _peak_rss_mb()
        start = time.perf_counter()
        result = scan_repository(root)
        cold_seconds = time.perf_counter() - start
        rss_after = _peak_rss_mb()
        warm_seconds = min(_timed_scan(root, 1) for _ in range(2))
        best_scan = min(cold_seconds, warm_seconds)
        cores = os.cpu_count() or 1
        pooled_seconds = min(_timed_scan(root, cores) for _ in range(2))
        parse_seconds = min(bare_parse(root) for _ in range(3))
        start = time.perf_counter()
        command = [sys.executable, "-m", "modeldoc", "scan", "--json", str(root)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        command_seconds = time.perf_counter() - start

        code = result.code
        print(
            f"facts: {len(code.models)} models, {len(code.hyperparameters)} hyperparameters, "
            f"{len(code.instantiations)} instantiations, {len(code.symbols)} symbols"
        )
        print(
            f"cold scan (first in this process, one core): {cold_seconds:.2f} s, "
            f"{args.files / cold_seconds:.0f} files/s, {megabytes / cold_seconds:.2f} MB/s"
        )
        print(
            f"scan, best of 3 (one core): {best_scan:.2f} s, "
            f"{args.files / best_scan:.0f} files/s, {megabytes / best_scan:.2f} MB/s"
        )
        print(
            f"scan with {cores} worker processes, best of 2: {pooled_seconds:.2f} s, "
            f"{megabytes / pooled_seconds:.2f} MB/s, "
            f"{megabytes / pooled_seconds / cores:.2f} MB/s per core"
        )
        print(
            f"bare tree-sitter parse (baseline, best of 3, one core): {parse_seconds:.2f} s, "
            f"{megabytes / parse_seconds:.2f} MB/s"
        )
        print(f"ratio scan / bare parse (best of 3 each): {best_scan / parse_seconds:.2f}x")
        print(f"peak memory growth during the cold scan: {rss_after - rss_before:.0f} MB")
        print(
            f"whole command `modeldoc scan --json` (start-up and output): {command_seconds:.2f} s"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
