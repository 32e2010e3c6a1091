#!/usr/bin/env python3
"""torch_autoencoder.py: the bench's yardstick. Trains the same convolutional autoencoder as tests/bench/bench.c
(chapter 01's, 3,805 parameters) in PyTorch, on the same kind of random batches, with the same optimiser and loss,
and prints its training throughput.

    python3 tests/bench/torch_autoencoder.py [--threads 2] [--seconds 3] [--batch 128]

prints `images_per_s X` (forward + backward + Adam step, from the median wall-clock time of a step, after a few
warm-up steps). bench.c runs it when python3 can import torch (Debian's python3-torch) and reports ours / theirs.

The layers match Keras's (and ours): 3x3 convolutions with 'same' padding except the one 'valid' layer, and
max-pooling with 'same' padding, which for a 2x2 pool is PyTorch's ceil_mode=True (7x7 -> 4x4: the last window hangs
over the edge and takes the max of the cells inside the image).
"""
import argparse
import statistics
import time

import torch
from torch import nn


def autoencoder():
    """(N, 1, 28, 28) -> code (N, 4, 4, 4) -> (N, 1, 28, 28); the same stack as autoencoder_new() in bench.c."""
    def conv(c_in, c_out, padding="same"):
        return nn.Conv2d(c_in, c_out, 3, padding=padding)

    return nn.Sequential(
        conv(1, 16), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),     # (16, 14, 14)
        conv(16, 8), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),     # ( 8,  7,  7)
        conv(8, 4), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),      # ( 4,  4,  4)  the code
        conv(4, 8), nn.ReLU(), nn.Upsample(scale_factor=2),          # ( 8,  8,  8)
        conv(8, 8), nn.ReLU(), nn.Upsample(scale_factor=2),          # ( 8, 16, 16)
        conv(8, 16, "valid"), nn.ReLU(), nn.Upsample(scale_factor=2),  # (16, 28, 28)
        conv(16, 1), nn.Sigmoid(),                                   # ( 1, 28, 28)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    model = autoencoder()
    params = sum(p.numel() for p in model.parameters())
    assert params == 3805, f"expected 3,805 parameters (as in Keras and bench.c), got {params}"
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    x = torch.rand(args.batch, 1, 28, 28)           # pixels in [0, 1); the target is the input

    def step():
        optimiser.zero_grad()
        loss = loss_fn(model(x), x)
        loss.backward()
        optimiser.step()

    for _ in range(3):                              # warm up: allocations, kernel selection
        step()
    times = []                                      # seconds per step; the median is reported, as in bench.c
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {params} parameters, {len(times)} steps")
    print(f"images_per_s {args.batch / median:.0f}")

if __name__ == "__main__":
    main()
