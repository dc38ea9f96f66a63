"""tf.test's helpers beyond TestCase against TF 2.21: Benchmark, benchmark_config,
assert_equal_graph_def, StubOutForTesting, disable_with_predicate, the build queries,
mock, test_src_dir_path, with_eager_op_as_function; and tf.flags.tf_decorator."""

from __future__ import annotations

import os
import re
import unittest

import pytest

import tfgraph as tf
from tests import tfrun

_GRAPH_DEF_DIFFS = """
import json
def g(build):
    gr = tf.Graph()
    with gr.as_default():
        build()
    return gr.as_graph_def()
C = tf.constant
a = g(lambda: tf.add(C(1.0, name="a"), C(2.0, name="b"), name="c"))
cases = {
    "same": g(lambda: tf.add(C(1.0, name="a"), C(2.0, name="b"), name="c")),
    "reordered": g(lambda: (C(2.0, name="b"), tf.add(C(1.0, name="a"),
                   tf.get_default_graph().get_tensor_by_name("b:0"), name="c"))),
    "missing": g(lambda: C(1.0, name="a")),
    "extra": g(lambda: (tf.add(C(1.0, name="a"), C(2.0, name="b"), name="c"), C(3.0, name="d"))),
    "optype": g(lambda: tf.subtract(C(1.0, name="a"), C(2.0, name="b"), name="c")),
    "inputs": g(lambda: tf.add(C(2.0, name="b"), C(1.0, name="a"), name="c")),
    "attr": g(lambda: tf.add(C(1.0, name="a"), C(3.0, name="b"), name="c")),
    "dtype": g(lambda: tf.add(C(1, name="a"), C(2, name="b"), name="c")),
    "device": g(lambda: tf.add(C(1.0, name="a"), C(2.0, name="b"), name="c").op._set_device(
        "/cpu:0")),
    "control": g(lambda: tf.add(C(1.0, name="a"), C(2.0, name="b"), name="c").op._add_control_input(
        tf.get_default_graph().get_operation_by_name("a"))),
}
out = {}
for k, e in cases.items():
    try:
        tf.test.assert_equal_graph_def(e, a)
        out[k] = "OK"
    except AssertionError as err:
        out[k] = str(err)
for args in ((a, "x"), ("x", a)):
    try:
        tf.test.assert_equal_graph_def(*args)
    except TypeError as err:
        out[str(len(out))] = str(err)
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_assert_equal_graph_def_matches_tf():
    ours = tfrun.run_here_json(_GRAPH_DEF_DIFFS)
    theirs = tfrun.run_tf_json(_GRAPH_DEF_DIFFS)
    # (node "a" differs in two attrs, dtype and value: TF reports the first its C++
    # protobuf map yields, an order that changes from process to process; tfgraph
    # reports the first by name)
    for message in (ours.pop("dtype"), theirs.pop("dtype")):
        assert re.match(r"Node named 'a' has attr '(dtype|value)' with value: ", message)
    # the node summaries in "missing"/"extra" are TF's C++ SummarizeNodeDef: compare
    # the whole message where tfgraph's summary matches, the lead phrase elsewhere
    for key, message in theirs.items():
        assert ours[key].split("{{")[0] == message.split("{{")[0], key
    assert ours == theirs


_QUERIES = """
import json, unittest
out = {
    "gpu": tf.test.is_built_with_gpu_support(),
    "rocm": tf.test.is_built_with_rocm(),
    "cuda": tf.test.is_built_with_cuda(),
    "mock": tf.test.mock is unittest.mock,
    "config": list(tf.test.benchmark_config().SerializeToString()),
}
try:
    tf.test.is_cpu_target_available("nonsense")
except AssertionError as e:
    out["target_error"] = str(e)
try:
    tf.test.test_src_dir_path("core")
except KeyError as e:
    out["srcdir"] = str(e)
class C:
    pass
out["eager_op"] = [tf.test.with_eager_op_as_function(C) is C,
                   tf.test.with_eager_op_as_function(only_as_function=True)(C) is C]
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_build_queries_and_helpers_match_tf():
    assert tfrun.run_here_json(_QUERIES) == tfrun.run_tf_json(_QUERIES)


def test_xla_queries_say_tfgraph_has_no_xla():
    # (TF's pip build answers True to both: it links XLA; tfgraph does not)
    assert tf.test.is_built_with_xla() is False
    assert tf.test.is_cpu_target_available("x86") is False


def test_test_src_dir_path_joins_bazel_runfiles(monkeypatch):
    monkeypatch.setenv("TEST_SRCDIR", "/runfiles")
    monkeypatch.setenv("TEST_WORKSPACE", "org_tensorflow")
    assert tf.test.test_src_dir_path("core/x") == "/runfiles/org_tensorflow/tensorflow/core/x"


def test_disable_with_predicate_skips_when_true():
    class T(unittest.TestCase):
        ran: list = []

        @tf.test.disable_with_predicate(lambda: True, "no")
        def test_skipped(self):
            T.ran.append("skipped")

        @tf.test.disable_with_predicate(lambda: False, "no")
        def test_runs(self):
            T.ran.append("runs")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(T).run(result)
    assert T.ran == ["runs"]
    assert [reason for _, reason in result.skipped] == ["no"]


_BENCH = """
import json, os, tempfile
from tensorflow.core.util import test_log_pb2
d = tempfile.mkdtemp()
os.environ["TEST_REPORT_FILE_PREFIX"] = d + "/"
class MyBench(tf.test.Benchmark):
    def benchmarkOne(self):
        self.report_benchmark(iters=3, wall_time=0.5, cpu_time=0.25, throughput=2.0,
                              extras={"a": 1, "b": "x"},
                              metrics=[{"name": "m", "value": 2.0, "min_value": 1.0}])
    def benchmarkNamed(self):
        self.report_benchmark(iters=1, name="custom/name")
b = MyBench()
b.benchmarkOne()
b.benchmarkNamed()
try:
    b.benchmarkOne()
except OSError as e:
    again = type(e).__name__
entries = {}
for f in sorted(os.listdir(d)):
    msg = test_log_pb2.BenchmarkEntries()
    msg.ParseFromString(open(os.path.join(d, f), "rb").read())
    entries[f] = str(msg)
print(json.dumps({"entries": entries, "again": again}))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_report_benchmark_writes_what_tf_writes(tmp_path):
    """Entries tfgraph writes parse in TF's proto as the entries TF writes."""
    theirs = tfrun.run_tf_json(_BENCH)
    ours_code = _BENCH.replace("from tensorflow.core.util import test_log_pb2\n", "").replace(
        "entries[f] = str(msg)", "entries[f] = open(os.path.join(d, f), 'rb').read().hex()"
    )
    ours_code = ours_code.replace("msg = test_log_pb2.BenchmarkEntries()\n", "").replace(
        '    msg.ParseFromString(open(os.path.join(d, f), "rb").read())\n', ""
    )
    ours = tfrun.run_here_json(ours_code)
    assert ours["again"] == theirs["again"] == "OSError"
    assert sorted(ours["entries"]) == sorted(theirs["entries"])
    (tmp_path / "files.json").write_text(__import__("json").dumps(ours["entries"]))
    parsed = tfrun.run_tf_json(
        f"""
from tensorflow.core.util import test_log_pb2
files = json.load(open({str(tmp_path / "files.json")!r}))
out = {{}}
for f, data in files.items():
    msg = test_log_pb2.BenchmarkEntries()
    msg.ParseFromString(bytes.fromhex(data))
    out[f] = str(msg)
print(json.dumps(out))
"""
    )
    assert parsed == theirs["entries"]


def test_run_op_benchmark_and_evaluate(capsys, monkeypatch):
    monkeypatch.delenv("TEST_REPORT_FILE_PREFIX", raising=False)
    x = tf.constant(2.0) * 3.0

    class B(tf.test.Benchmark):
        def benchmarkMul(self):
            with tf.Session() as sess:
                return self.run_op_benchmark(sess, x, min_iters=5, mbs=4)

    values = B().benchmarkMul()
    assert values["iters"] == 5 and values["name"] is None
    assert values["wall_time"] > 0 and values["throughput"] == pytest.approx(
        4 / values["wall_time"]
    )
    assert {"wall_time_mean", "wall_time_stdev"} <= set(values["extras"])
    printed = capsys.readouterr().out
    assert 'name: "B.benchmarkMul"' in printed and "iters: 5" in printed
    assert B().evaluate(x) == 6.0
    with pytest.raises(TypeError, match="extras must be a dict"):
        B().report_benchmark(extras=[1])
    with pytest.raises(ValueError, match="Unable to determine calling Benchmark class"):
        tf.test.Benchmark._get_name(object())


def test_stub_out_for_testing_sets_and_restores():
    class Base:
        def f(self):
            return "base"

        @staticmethod
        def s():
            return "static"

    class Child(Base):
        pass

    obj = Child()
    with tf.test.StubOutForTesting() as stubs:
        stubs.Set(os.path, "exists", lambda p: "stub")
        stubs.SmartSet(obj, "f", lambda self: "smart")
        stubs.Set(Base, "s", lambda: "new")
        assert os.path.exists("/nope") == "stub"
        assert obj.f() == "smart" and Child().f() == "smart"
        assert Base.s() == "new"
        with pytest.raises(AttributeError, match="Attribute not found"):
            stubs.SmartSet(obj, "missing", 1)
    assert os.path.exists("/nope") is False
    assert obj.f() == "base" and Base.s() == "static"
    assert isinstance(Base.__dict__["s"], staticmethod)


_DECORATOR = """
import json, inspect
td = tf.flags.tf_decorator
def target(a, b=2, *args, c, **kw):
    "Target doc."
    return a + b
def deco(fn):
    def wrapper(*args, **kwargs):
        return wrapper.__wrapped__(*args, **kwargs)
    return td.make_decorator(fn, wrapper)
w = deco(target)
decorators, inner = td.unwrap(w)
def other(a, b=2, *args, c, **kw):
    return a * b
td.rewrap(w, target, other)
spec = inspect.getfullargspec(target)
print(json.dumps({
    "name": w.__name__, "doc": w.__doc__, "sig": str(inspect.signature(w)),
    "n": len(decorators), "dname": decorators[0].decorator_name, "inner": inner is target,
    "rewrapped": w(3, c=1), "spec_sig": str(td.fullargspec_to_signature(spec)),
    "api": sorted(n for n in ("TFDecorator", "make_decorator", "rewrap", "unwrap")
                  if hasattr(td, n)),
    "dict": [td.Dict[str, int] == __import__("typing").Dict[str, int], str(td.Dict)],
}))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_tf_decorator_matches_tf():
    assert tfrun.run_here_json(_DECORATOR) == tfrun.run_tf_json(_DECORATOR)
