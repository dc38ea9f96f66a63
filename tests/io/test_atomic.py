"""Atomic writes: the destination is replaced whole or not at all."""

from __future__ import annotations

import pytest

from tfgraph.io.atomic import AtomicFile, atomic_open, atomic_write


def test_atomic_write_replaces(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    atomic_write(path, [b"a", memoryview(b"b"), b"c"], fsync=False)
    assert path.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_failure_keeps_old_contents(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_open(path) as f:
        f.write(b"partial")
        raise RuntimeError("boom")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_atomic_file_commit_and_discard(tmp_path):
    target = AtomicFile(tmp_path / "x")
    target.write(b"data")
    assert not (tmp_path / "x").exists()  # invisible until committed
    assert target.temp_path.startswith(str(tmp_path))
    target.commit()
    assert (tmp_path / "x").read_bytes() == b"data"
    with pytest.raises(ValueError):
        target.commit()
    other = AtomicFile(tmp_path / "y")
    other.write(b"zzz")
    other.discard()
    other.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


def test_fsync_policy_defaults_to_tensorflows_and_follows_the_environment(tmp_path, monkeypatch):
    from tfgraph.io.atomic import AtomicFile, fsync_by_default

    monkeypatch.delenv("TFGRAPH_FSYNC", raising=False)
    assert not fsync_by_default()  # TF does not fsync what it writes
    f = AtomicFile(tmp_path / "a")
    assert f._fsync is False
    f.discard()
    monkeypatch.setenv("TFGRAPH_FSYNC", "1")
    g = AtomicFile(tmp_path / "b")
    assert g._fsync is True
    g.write(b"x")
    g.commit()
    assert (tmp_path / "b").read_bytes() == b"x"
    assert AtomicFile(tmp_path / "c", fsync=False)._fsync is False
