"""Train gpt-mini on data/input.txt; writes out/ckpt.pt."""

import argparse
import os

import numpy as np
import torch

from model import GPT, GPTConfig

# Training settings; the model's shape comes from GPTConfig, with two overrides below.
batch_size = 64
max_iters = 5000
eval_interval = 500
learning_rate = 3e-4
weight_decay = 1e-1
n_layer = 4
dropout = 0.1

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--data-dir", default="data/shakespeare_char")
parser.add_argument("--seed", type=int, default=1337)
parser.add_argument("--compile", action="store_true")
args = parser.parse_args()

torch.manual_seed(args.seed)
train_data = np.memmap(os.path.join(args.data_dir, "train.bin"), dtype=np.uint16, mode="r")
val_data = np.memmap(os.path.join(args.data_dir, "val.bin"), dtype=np.uint16, mode="r")

config = GPTConfig(n_layer=n_layer, dropout=dropout)
model = GPT(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.99), weight_decay=weight_decay)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max_iters, eta_min=3e-5)


def get_batch(data):
    ix = torch.randint(len(data) - config.block_size, (batch_size,))
    x = torch.stack([torch.from_numpy(data[i : i + config.block_size].astype(np.int64)) for i in ix])
    y = torch.stack([torch.from_numpy(data[i + 1 : i + 1 + config.block_size].astype(np.int64)) for i in ix])
    return x, y


@torch.no_grad()
def estimate_loss():
    model.eval()
    losses = [model(*get_batch(val_data))[1].item() for _ in range(20)]
    model.train()
    return sum(losses) / len(losses)


for step in range(max_iters):
    if step % eval_interval == 0:
        print(f"step {step}: val loss {estimate_loss():.4f}")
    _, loss = model(*get_batch(train_data))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    scheduler.step()

os.makedirs("out", exist_ok=True)
torch.save({"model": model.state_dict(), "config": config}, "out/ckpt.pt")
