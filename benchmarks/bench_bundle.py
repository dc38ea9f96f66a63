"""Write/read throughput of tfgraph's V2 checkpoint bundle.

    python benchmarks/bench_bundle.py [--mb 100] [--tensors 25] [--dir /tmp/x] [--no-fsync]

Saves `--mb` megabytes of float32 split into `--tensors` tensors with `BundleWriter`,
then reads them back with `BundleReader` (checksums verified), and prints MB/s of
the best of a few repetitions.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tfgraph.io.bundle import BundleReader, BundleWriter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--tensors", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    parser.add_argument("--no-fsync", action="store_true", help="skip fsync (TF does not sync)")
    args = parser.parse_args()
    n = int(args.mb * 1e6 / 4 / args.tensors)
    rng = np.random.default_rng(0)
    values = {f"layer_{i:04d}/kernel": rng.standard_normal(n, dtype=np.float32)
              for i in range(args.tensors)}  # fmt: skip
    total = sum(v.nbytes for v in values.values()) / 1e6
    root = Path(args.dir or tempfile.mkdtemp(prefix="bench_bundle_"))
    prefix = str(root / "ckpt" / "model")
    best_w = best_r = float("inf")
    try:
        for _ in range(args.repeat):
            start = time.perf_counter()
            with BundleWriter(prefix, fsync=not args.no_fsync) as writer:
                for k, v in values.items():
                    writer.add(k, v)
            best_w = min(best_w, time.perf_counter() - start)
            start = time.perf_counter()
            with BundleReader(prefix) as reader:
                for k in reader:
                    reader.read(k)
            best_r = min(best_r, time.perf_counter() - start)
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    fsync = "no fsync" if args.no_fsync else "fsync"
    print(f"{total:.1f} MB in {args.tensors} tensors")
    print(f"write ({fsync}): {total / best_w:8.0f} MB/s")
    print(f"read (CRC verified): {total / best_r:8.0f} MB/s")


if __name__ == "__main__":
    main()
