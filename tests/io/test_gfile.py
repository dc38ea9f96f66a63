"""tf.io.gfile / tf.gfile on local files, with TF's error classes and texts."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tfgraph import errors

g = tf.io.gfile


def test_namespaces():
    import tfgraph.io

    assert tf.io is tfgraph.io  # one package is both the format layer and `tf.io`
    assert tf.io.gfile.GFile is tf.gfile.GFile is tf.gfile.FastGFile is tf.gfile.Open
    # (as in TF, TF1's spellings are their own functions, with TF1's parameter names)
    assert tf.gfile.Exists("/") is g.exists("/") is True and tf.gfile.MakeDirs is not g.makedirs
    assert tf.io.write_graph is tf.train.write_graph
    assert set(tf.gfile.__all__) == {
        "Copy", "DeleteRecursively", "Exists", "FastGFile", "GFile", "Glob", "IsDirectory",
        "ListDirectory", "MakeDirs", "MkDir", "Open", "Remove", "Rename", "Stat", "Walk",
    }  # fmt: skip


def test_read_and_write(tmp_path):
    path = str(tmp_path / "y.txt")
    with g.GFile(path, "w") as f:
        f.write("hello\n")
        f.write(b"world\n")
        assert not g.exists(path)  # renamed into place on close
    assert g.GFile(path).read() == "hello\nworld\n"
    assert g.GFile(path, "rb").read() == b"hello\nworld\n"
    assert list(g.GFile(path)) == ["hello\n", "world\n"]
    assert g.GFile(path).readlines() == ["hello\n", "world\n"]
    f = g.GFile(path, "rb")
    assert f.read(5) == b"hello" and f.tell() == 5
    f.seek(6)
    assert f.readline() == b"world\n" and f.readline() == b""
    f.close()
    assert g.GFile(path).size() == 12
    with g.GFile(path, "a") as f:
        f.write("!")
    assert g.GFile(path).read().endswith("!")
    assert [p.name for p in tmp_path.iterdir()] == ["y.txt"]


def test_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "keep.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with g.GFile(str(path), "w") as f:
            f.write("new")
            raise RuntimeError("boom")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_directories(tmp_path):
    base = str(tmp_path)
    g.makedirs(base + "/a/b")
    g.makedirs(base + "/a/b")
    g.mkdir(base + "/a")  # exists: no error, as in TF
    assert g.isdir(base + "/a/b") and not g.isdir(base + "/a/b/c")
    with g.GFile(base + "/a/f.txt", "w") as f:
        f.write("x")
    assert sorted(g.listdir(base + "/a")) == ["b", "f.txt"]
    assert g.glob(base + "/a/*.txt") == [base + "/a/f.txt"]
    assert g.glob([base + "/a/*.txt", base + "/zz*"]) == [base + "/a/f.txt"]
    assert list(g.walk(base)) == [
        (base, ["a"], []),
        (base + "/a", ["b"], ["f.txt"]),
        (base + "/a/b", [], []),
    ]
    st = g.stat(base + "/a/f.txt")
    assert st.length == 1 and not st.is_directory and st.mtime_nsec > 0
    g.copy(base + "/a/f.txt", base + "/g.txt")
    g.rename(base + "/g.txt", base + "/h.txt")
    assert g.exists(base + "/h.txt") and not g.exists(base + "/g.txt")
    g.remove(base + "/h.txt")
    g.rmtree(base + "/a")
    assert g.listdir(base) == []
    assert g.join("a", "b") == "a/b"
    assert "" in g.get_registered_schemes()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda d: g.remove(d + "/nope"), errors.NotFoundError, "nope; No such file or directory"),
        (lambda d: g.rmtree(d + "/nope"), errors.NotFoundError, "nope not found"),
        (lambda d: g.listdir(d + "/nope"), errors.NotFoundError, "Could not find directory"),
        (lambda d: g.mkdir(d + "/a/b"), errors.NotFoundError, "No such file or directory"),
        (lambda d: g.GFile(d + "/nope").read(), errors.NotFoundError, "No such file or directory"),
        (lambda d: g.stat(d + "/nope"), errors.NotFoundError, "No such file or directory"),
        (lambda d: g.rename(d + "/nope", d + "/z"), errors.NotFoundError, "No such file"),
        (lambda d: g.copy(d + "/f", d + "/f"), errors.AlreadyExistsError, "file already exists"),
        (lambda d: g.rename(d + "/f", d + "/f"), errors.AlreadyExistsError, "already exists"),
        (lambda d: g.GFile(d + "/f", "q"), errors.InvalidArgumentError, "mode is not 'r' or 'w'"),
        (
            lambda d: g.GFile(d + "/f").write("a"),
            errors.PermissionDeniedError,
            "isn.t open for writing",
        ),
        (
            lambda d: g.GFile(d + "/f", "w").read(),
            errors.PermissionDeniedError,
            "isn.t open for reading",
        ),
        (lambda d: g.GFile(d, "r").read(), errors.FailedPreconditionError, "Is a directory"),
        (lambda d: g.remove(d), errors.FailedPreconditionError, "Is a directory"),
        (
            lambda d: g.exists("gs://bucket/x"),
            errors.UnimplementedError,
            "scheme 'gs' not implemen",
        ),
    ],
)
def test_errors(tmp_path, call, error, message):
    (tmp_path / "f").write_text("x")
    with pytest.raises(error, match=message):
        call(str(tmp_path))


def test_reading_a_graph_with_gfile(tmp_path):
    tf.constant(1.0, name="c")
    tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "g.pb", as_text=False)
    graph_def = tf.GraphDef()
    with tf.gfile.GFile(str(tmp_path / "g.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    assert [n.name for n in graph_def.node] == ["c"]
