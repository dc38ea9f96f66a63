"""Throughput of tfgraph's numpy CRC-32C at several sizes.

    python benchmarks/bench_crc32c.py [--quick]

Prints MB/s (10^6 bytes per second) of `tfgraph.io.crc32c.crc32c` and, for small
sizes, of a plain byte-at-a-time Python loop as a baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tfgraph.io.crc32c import _TABLE, crc32c


def python_loop(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def rate(fn, data: bytes, budget: float = 0.5) -> float:
    fn(data)  # warm up (builds lookup tables)
    reps, elapsed = 0, 0.0
    start = time.perf_counter()
    while elapsed < budget or reps < 3:
        fn(data)
        reps += 1
        elapsed = time.perf_counter() - start
    return len(data) * reps / elapsed / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100 MB size")
    args = parser.parse_args()
    sizes = [64, 1 << 10, 16 << 10, 64 << 10, 1 << 20, 16 << 20]
    if not args.quick:
        sizes.append(100 << 20)
    rng = np.random.default_rng(0)
    print(f"{'size':>10}  {'crc32c MB/s':>12}  {'python loop MB/s':>16}")
    for size in sizes:
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        ours = rate(crc32c, data)
        base = f"{rate(python_loop, data, 0.2):16.1f}" if size <= 64 << 10 else f"{'-':>16}"
        print(f"{size:>10}  {ours:12.1f}  {base}")


if __name__ == "__main__":
    main()
