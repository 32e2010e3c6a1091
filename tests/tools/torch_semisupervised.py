#!/usr/bin/env python3
"""torch_semisupervised.py: chapter 03's two-headed network in PyTorch, the yardstick for its numbers.

    python3 tests/tools/torch_semisupervised.py --fraction 0.01 --seed 1 [--over labelled|batch] [--epochs 10]

Trains the trunk and both heads of chapters/03_semisupervised/chapter03.c on Fashion-MNIST (the IDX files of
Debian's dataset-fashion-mnist) with every coarse label and a fraction of the fine ones, and prints the test fine and
coarse accuracy after the last epoch. Needs Debian's python3-torch and python3-numpy; about 3 minutes per 10-epoch
run on one idle core.

What it shares with the chapter: the network (Conv8 - MaxPool(same) - Conv16 - MaxPool - Conv32 - Flatten, heads
Dense32 relu - Dense10 and Dense32 relu - Dense3), Keras's initialisation (Glorot-uniform kernels, zero biases),
Adam 1e-3 with Keras's epsilon 1e-7, batch 64, a reshuffle every epoch, and exactly round(p N) fine labels drawn
without replacement. --over says what the masked fine loss is divided by: the batch's labelled rows M
(`--over labelled`, chapter03 --fine-over-labelled) or the batch size N (`--over batch`, the chapter's default).
Its random numbers are PyTorch's and NumPy's, so a seed here is not the chapter's seed: compare means over seeds.
"""
import argparse
import gzip
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist/"
# Fine class -> coarse class: Tops 0 (T-shirt/top, Pullover, Coat, Shirt), Bottoms 1 (Trouser, Dress),
# Other 2 (Sandal, Sneaker, Bag, Ankle boot).
COARSE = [0, 1, 0, 1, 0, 2, 0, 2, 2, 2]


def idx(name, header):
    """The bytes of an IDX file after its header."""
    with gzip.open(DATA + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def images(name):
    return torch.tensor(idx(name, 16).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)


def labels(name):
    return torch.tensor(idx(name, 8).astype(np.int64))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fraction", type=float, default=0.01, help="fraction of fine labels kept (default 0.01)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--over", choices=["labelled", "batch"], default="batch",
                    help="divide the fine loss by the labelled rows M or the batch size N (default: batch)")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    x_train, y_train = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
    x_test, y_test = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
    coarse = torch.tensor(COARSE)
    n = len(y_train)
    keep = rng.choice(n, int(round(a.fraction * n)), replace=False)
    fine = torch.full((n,), -1, dtype=torch.int64)             # -1: no fine label
    fine[keep] = y_train[keep]

    trunk = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten())        # (N, 1568)
    fine_head = nn.Sequential(nn.Linear(1568, 32), nn.ReLU(), nn.Linear(32, 10))
    coarse_head = nn.Sequential(nn.Linear(1568, 32), nn.ReLU(), nn.Linear(32, 3))
    nets = [trunk, fine_head, coarse_head]
    for net in nets:
        for layer in net:
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
    adam = torch.optim.Adam([p for net in nets for p in net.parameters()], lr=1e-3, eps=1e-7)

    start = time.time()
    for _ in range(a.epochs):
        order = torch.randperm(n)
        for s in range(0, n, 64):
            b = order[s:s + 64]
            r = trunk(x_train[b])
            loss = F.cross_entropy(coarse_head(r), coarse[y_train[b]])
            labelled = fine[b] >= 0
            m = int(labelled.sum())
            if m > 0:                                               # an all-masked batch adds nothing
                fine_sum = F.cross_entropy(fine_head(r[labelled]), fine[b][labelled], reduction="sum")
                loss = loss + fine_sum / (m if a.over == "labelled" else len(b))
            adam.zero_grad()
            loss.backward()
            adam.step()
    with torch.no_grad():
        r = trunk(x_test)
        fine_acc = (fine_head(r).argmax(1) == y_test).float().mean().item()
        coarse_acc = (coarse_head(r).argmax(1) == coarse[y_test]).float().mean().item()
    print(f"fraction {a.fraction} seed {a.seed} fine loss over {a.over}, {a.epochs} epochs: "
          f"test fine accuracy {fine_acc:.4f}, coarse {coarse_acc:.4f} ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
