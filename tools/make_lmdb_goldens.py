"""Writes the LMDB files tests/data/lmdb/*.mdb that `tf.LMDBReader`'s tests read.

Run with an interpreter that has the `lmdb` wheel (tfgraph itself reads LMDB in pure
Python and never needs it), e.g. the TF oracle venv:

    /work/main/.venv-tf/bin/python tools/make_lmdb_goldens.py

- `records.mdb`: 400 keys `key0000`..`key0399` with 100-byte values (enough leaf pages
  for a branch page above them) and `big` with a 20000-byte value (overflow pages).
- `small.mdb`: three keys written out of order (read back in key order).
"""

from __future__ import annotations

import os
from pathlib import Path

import lmdb

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "lmdb"


def _write(name: str, items: list[tuple[bytes, bytes]]) -> None:
    path = OUT / name
    for p in (path, Path(str(path) + "-lock")):
        if p.exists():
            p.unlink()
    env = lmdb.open(str(path), subdir=False, map_size=1 << 22, lock=True)
    with env.begin(write=True) as txn:
        for key, value in items:
            txn.put(key, value)
    env.close()
    lock = Path(str(path) + "-lock")
    if lock.exists():
        lock.unlink()


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    records = [
        (f"key{i:04d}".encode(), bytes((i * 7 + k) % 256 for k in range(100))) for i in range(400)
    ]
    records.append((b"big", bytes(k % 251 for k in range(20000))))
    _write("records.mdb", records)
    _write("small.mdb", [(b"b", b"two"), (b"c", b""), (b"a", b"one")])


if __name__ == "__main__":
    main()
