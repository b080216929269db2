"""Time to generate MultiDigits images (target: 10,000 images in under 5 s).

Run: .venv/bin/python bench/bench_data.py [n_samples]
The first call also loads scikit-learn's digits; then the best of 3 warm calls, as wall-clock and as
CPU time (the CPU time is the fairer figure on a machine shared with other jobs).
"""

from __future__ import annotations

import sys
import time

from mlc_utils.data import make_multidigits


def main() -> None:
    n_samples = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    start = time.perf_counter()
    make_multidigits(n_samples)
    cold = time.perf_counter() - start
    warm, cpu = [], []
    for seed in range(1, 4):
        start, start_cpu = time.perf_counter(), time.process_time()
        X, _ = make_multidigits(n_samples, seed=seed)
        warm.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(f"make_multidigits({n_samples:,}): first call {cold:.2f} s (includes load_digits), "
          f"then best of 3: {min(warm):.2f} s wall, {min(cpu):.2f} s CPU; "
          f"{X.nbytes / 2**20:.0f} MiB of float32")


if __name__ == "__main__":
    main()
