"""Pure-Python LMDB reading (`tfgraph.io.lmdb`): the golden files of
tools/make_lmdb_goldens.py (branch pages, overflow pages), the directory form, bad
files, and fresh files written by the `lmdb` wheel when the TF venv has it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.tfrun import requires_tf, run_tf
from tfgraph.io.lmdb import LMDBFormatError, lmdb_items

DATA = Path(__file__).resolve().parents[1] / "data" / "lmdb"


def expected_records() -> list[tuple[bytes, bytes]]:
    """What tools/make_lmdb_goldens.py wrote into records.mdb, in key order."""
    rows = [
        (f"key{i:04d}".encode(), bytes((i * 7 + k) % 256 for k in range(100))) for i in range(400)
    ]
    return [(b"big", bytes(k % 251 for k in range(20000))), *rows]


def test_reads_branch_leaf_and_overflow_pages_in_key_order():
    assert list(lmdb_items(str(DATA / "records.mdb"))) == expected_records()
    assert list(lmdb_items(str(DATA / "small.mdb"))) == [
        (b"a", b"one"),
        (b"b", b"two"),
        (b"c", b""),
    ]


def test_a_directory_means_its_data_mdb(tmp_path):
    shutil.copy(DATA / "small.mdb", tmp_path / "data.mdb")
    assert [k for k, _ in lmdb_items(str(tmp_path))] == [b"a", b"b", b"c"]


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(lmdb_items(str(tmp_path / "missing.mdb")))
    (tmp_path / "x.mdb").write_bytes(b"not lmdb" * 1000)
    with pytest.raises(LMDBFormatError, match="MDB_INVALID"):
        list(lmdb_items(str(tmp_path / "x.mdb")))


_WHEEL_PROGRAM = """
import random
try:
    import lmdb
except ImportError:
    print(json.dumps("no lmdb"))
    raise SystemExit
from tfgraph.io.lmdb import lmdb_items
rng = random.Random(5)
results = []
for n, big in ((0, 0), (1, 5000), (3000, 70000)):
    path = os.path.join(DIRECTORY, f"f{n}.mdb")
    env = lmdb.open(path, subdir=False, map_size=1 << 26)
    with env.begin(write=True) as txn:
        for i in range(n):
            key = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            txn.put(key, bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300))))
        if big:
            txn.put(b"big", bytes(rng.randrange(256) for _ in range(big)))
    with env.begin() as txn:
        want = list(txn.cursor())
    env.close()
    results.append(want == list(lmdb_items(path)))
# Duplicate-sorted databases (sub-pages, sub-databases, fixed-size LEAF2 pages): py-lmdb
# only makes them as named databases, so read the named one's tree directly.
import struct
from tfgraph.io import lmdb as reader
for fixed in (False, True):
    for n in (6, 3000):
        path = os.path.join(DIRECTORY, f"dup{fixed}{n}.mdb")
        env = lmdb.open(path, subdir=False, map_size=1 << 26, max_dbs=2)
        db = env.open_db(b"d", dupsort=True, dupfixed=fixed)
        with env.begin(write=True, db=db) as txn:
            for i in range(n):
                txn.put(b"k%d" % (i % 3), b"v%05d" % i)
        with env.begin(db=db) as txn:
            want = list(txn.cursor())
        with env.begin() as txn:
            record = reader._DB.unpack(txn.get(b"d"))
        env.close()
        data = open(path, "rb").read()
        psize = struct.unpack_from("<I", data, 40)[0]
        results.append(want == list(reader._tree(data, psize, record[7], True)))
print(json.dumps(results))
"""


@pytest.mark.tf
@requires_tf
def test_matches_the_lmdb_wheel(tmp_path):
    out = json.loads(run_tf(f"DIRECTORY = {str(tmp_path)!r}\n" + _WHEEL_PROGRAM).split("\n")[-2])
    if out == "no lmdb":
        pytest.skip("the lmdb wheel is not installed in the TF venv")
    assert out == [True] * 7
