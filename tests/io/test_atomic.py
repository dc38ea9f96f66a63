"""Atomic writes: the destination is replaced whole or not at all."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest

from tests.tfrun import REPO_ROOT
from tfgraph.io.atomic import AtomicFile, atomic_open, atomic_write, remove_stale_temp_files


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


@pytest.fixture
def umask027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_files_follow_the_umask(tmp_path, mask):
    """TF creates files 0o666 & ~umask (0644 under 022), not mkstemp's 0600."""
    old = os.umask(mask)
    try:
        atomic_write(tmp_path / "a", b"x")
        target = AtomicFile(tmp_path / "b")
        assert _mode(target.temp_path) == 0o666 & ~mask  # already while being written
        target.commit()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a") == _mode(tmp_path / "b") == 0o666 & ~mask


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_remove_stale_temp_files(tmp_path):
    from tfgraph.io.atomic import _HOST

    live = AtomicFile(tmp_path / "model.index")  # this process's: never removed
    live.write(b"partial")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / f"model-3.index.tfgraph-tmp-{_dead_pid()}-{_HOST}-0123abcd.tmp"
        other_live = tmp_path / f"m.meta.tfgraph-tmp-{sleeper.pid}-{_HOST}-0123abcd.tmp"
        foreign_new = tmp_path / f"m.meta.tfgraph-tmp-{_dead_pid()}-ffffffff-0123abcd.tmp"
        foreign_old = tmp_path / f"m.data.tfgraph-tmp-{_dead_pid()}-ffffffff-00000000.tmp"
        unrelated = tmp_path / f"notes.tfgraph-tmp-{_dead_pid()}-{_HOST}-0123abcd.txt"
        for p in (dead, other_live, foreign_new, foreign_old, unrelated):
            p.write_bytes(b"x")
        if _HOST == "ffffffff":  # pragma: no cover
            pytest.skip("this host's tag collides with the test's foreign tag")
        day_ago = time.time() - 2 * 24 * 3600
        os.utime(foreign_old, (day_ago, day_ago))
        removed = remove_stale_temp_files(tmp_path)
        assert sorted(removed) == sorted([str(dead), str(foreign_old)])
        left = {p.name for p in tmp_path.iterdir()}
        assert {other_live.name, foreign_new.name, unrelated.name} <= left
        assert os.path.basename(live.temp_path) in left
    finally:
        sleeper.kill()
        sleeper.wait()
        live.discard()


def test_next_checkpoint_save_removes_a_killed_savers_temp_files(tmp_path):
    """A saver killed mid-save leaves temp files; the next save cleans them up."""
    import tfgraph as tf

    script = (
        "import os, sys, numpy as np\n"
        "from tfgraph.io.bundle import BundleWriter\n"
        "w = BundleWriter(sys.argv[1])\n"
        "w.add('v', np.zeros(1000, np.float32))\n"
        "w._data.file.flush()\n"
        "os._exit(9)  # dies mid-save, like SIGKILL\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    for step in range(3):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / f"model-{step}")], env=env)
    # each new saver removed the previous one's file: only the last is left
    (left,) = [p.name for p in tmp_path.iterdir() if ".tfgraph-tmp-" in p.name]
    assert left.startswith("model-2.data-00000-of-00001.tfgraph-tmp-")
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        saver.save(sess, str(tmp_path / "model"), global_step=7)
    assert not [p for p in tmp_path.iterdir() if ".tfgraph-tmp-" in p.name]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model-7")


def test_long_file_name(tmp_path):
    name = "m" * 250  # the longest names the file system takes still work
    atomic_write(tmp_path / name, b"x")
    assert (tmp_path / name).read_bytes() == b"x"
    assert [p.name for p in tmp_path.iterdir()] == [name]
