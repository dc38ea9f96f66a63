"""`python -m tfgraph inspect-checkpoint / inspect-graph`."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tfgraph as tf
from tests.golden import golden
from tests.tfrun import REPO_ROOT
from tfgraph import cli


def _run(*args, capsys):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _checkpoint(tmp_path):
    tf.Variable([1.0, 2.0], name="v")
    tf.Variable(np.array([b"a", b"\xff"], dtype=object), name="s")
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    tf.identity(x * 2.0, name="out")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return saver.save(sess, str(tmp_path / "model"), global_step=3)


def test_inspect_checkpoint_lists_names_dtypes_shapes(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    code, out, _ = _run("inspect-checkpoint", path, capsys=capsys)
    assert code == 0
    assert out == "s (DT_STRING) [2]\nv (DT_FLOAT) [2]\n"
    code, out2, _ = _run("inspect-checkpoint", str(tmp_path), capsys=capsys)
    assert code == 0 and out2 == out


def test_inspect_checkpoint_values(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    code, out, _ = _run("inspect-checkpoint", path, "--tensor", "v", capsys=capsys)
    assert code == 0 and out == "tensor_name:  v (DT_FLOAT) [2]\n[1. 2.]\n"
    code, out, _ = _run("inspect-checkpoint", path, "--all", capsys=capsys)
    assert code == 0
    assert "tensor_name:  s (DT_STRING) [2]\n[b'a' b'\\xff']\n" in out
    assert out.index("tensor_name:  s") < out.index("tensor_name:  v")


def test_inspect_golden_tensorflow_checkpoint(capsys):
    prefix = str(golden("tf", "ckpt") / "model-7")
    code, out, _ = _run("inspect-checkpoint", prefix, capsys=capsys)
    assert code == 0 and "bf (DT_BFLOAT16) [3]\n" in out and "empty (DT_FLOAT) [0,3]\n" in out


def test_inspect_graph_files(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    code, out, _ = _run("inspect-graph", path + ".meta", capsys=capsys)
    assert code == 0
    assert out.startswith(f"{path}.meta: MetaGraphDef with ")
    assert "  x: float32 [?,2]\n" in out
    assert "variables (2):\n  v: float32 [2]\n  s: string [2]\n" in out
    assert "likely outputs" in out and "  out (Identity)\n" in out
    assert "saver: filename save/Const:0, save save/control_dependency:0" in out
    assert "  variables: 2 bytes_list\n" in out
    g = tf.get_default_graph()
    tf.train.write_graph(g, str(tmp_path), "g.pbtxt")
    tf.train.write_graph(g, str(tmp_path), "g.pb", as_text=False)
    for name in ("g.pbtxt", "g.pb"):
        code, out, _ = _run("inspect-graph", str(tmp_path / name), capsys=capsys)
        assert code == 0 and ": GraphDef with" in out
        assert "op types:\n" in out and "Assign\n" in out


def test_inspect_golden_graph(capsys):
    code, out, _ = _run("inspect-graph", str(golden("tf_min", "graph.pb")), capsys=capsys)
    assert code == 0 and "GraphDef with 28 nodes (producer 2474)" in out
    assert "1  RandomUniform\n" in out


@pytest.mark.parametrize("command", ["inspect-checkpoint", "inspect-graph"])
def test_unreadable_files_are_clear_errors(tmp_path, capsys, command):
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"\x0b\xff\xff garbage")
    for target in (str(tmp_path / "missing"), str(junk)):
        code, out, err = _run(command, target, capsys=capsys)
        assert code == 1 and out == ""
        assert err.startswith("tfgraph: error: cannot read")


def test_unknown_tensor(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    code, _, err = _run("inspect-checkpoint", path, "--tensor", "zz", capsys=capsys)
    assert code == 1 and "tensor 'zz' is not in checkpoint" in err


def test_python_dash_m(tmp_path):
    path = _checkpoint(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "tfgraph", "inspect-checkpoint", path],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout == "s (DT_STRING) [2]\nv (DT_FLOAT) [2]\n"
    proc = subprocess.run(
        [sys.executable, "-m", "tfgraph", "inspect-graph", str(tmp_path / "none.pb")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1 and "No such file or directory" in proc.stderr


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"tfgraph {tf.__version__}\n"


def test_inspect_checkpoint_accepts_its_files(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    _, expected, _ = _run("inspect-checkpoint", path, capsys=capsys)
    for name in (path + ".index", path + ".data-00000-of-00001"):
        code, out, err = _run("inspect-checkpoint", name, capsys=capsys)
        assert (code, out, err) == (0, expected, "")
        code, out, _ = _run("inspect-checkpoint", name, "--tensor", "v", capsys=capsys)
        assert code == 0 and out == "tensor_name:  v (DT_FLOAT) [2]\n[1. 2.]\n"


def test_inspect_checkpoint_stale_state_file(tmp_path, capsys):
    """The `checkpoint` file names a deleted checkpoint: TF's latest_checkpoint gives
    None and its reader "Failed to find any matching files for ..."; say so plainly."""
    path = _checkpoint(tmp_path)
    for f in tmp_path.iterdir():
        if f.name.startswith("model-3."):
            f.unlink()
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    code, out, err = _run("inspect-checkpoint", str(tmp_path), capsys=capsys)
    assert code == 1 and out == ""
    assert f"its 'checkpoint' state file names {path}, but no such checkpoint exists" in err
    assert f"Failed to find any matching files for {path}" in err
