"""tf.data.experimental.copy_to_device / prefetch_to_device against TF 2.21 (graph mode):
elements, element specs, the outer graph's op types and devices, placement errors,
GraphDefs both ways; enable_debug_mode's graph-mode error and eager effects."""

from __future__ import annotations

import json

import pytest

import tfgraph
from tests.data_api.common import run_both
from tests.tfrun import requires_tf, run_tf

GRAPH = """
E = tf.data.experimental
out = {}
ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2, 3]}, [[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]]))
ds = ds.map(lambda d, x: (d, x * 2.0))
copied = ds.apply(E.copy_to_device("/cpu:0"))
pre = tf.data.Dataset.range(5).apply(E.prefetch_to_device("/cpu:0", 2))
auto = tf.data.Dataset.range(3).apply(E.prefetch_to_device("/device:CPU:0"))
g = tf.get_default_graph()
out["spec"] = [str(copied.element_spec), str(pre.element_spec), str(auto.element_spec)]
out["types"] = [str(copied.output_types), str(copied.output_shapes)]
out["ops"] = [[op.name, op.type, op.device] for op in g.get_operations()]
gen = g.get_operation_by_name("GeneratorDataset")
out["gen_attrs"] = {k: str(gen.get_attr(k)) for k in
                    ["Tinit_func_args", "Tnext_func_args", "Tfinalize_func_args",
                     "output_types", "output_shapes"]}
out["prefetch_attrs"] = [str(op.get_attr("legacy_autotune")) for op in g.get_operations()
                         if op.type == "PrefetchDataset"]
bad = tf.data.Dataset.from_tensor_slices([1.0, 0.0]).map(
    lambda x: tf.debugging.check_numerics(1.0 / x, "bad"))
bad_next = tf.data.make_one_shot_iterator(bad.apply(E.copy_to_device("/cpu:0"))).get_next()
it = tf.data.make_initializable_iterator(copied)
nxt = it.get_next()
one = tf.data.make_one_shot_iterator(pre).get_next()
auto_next = tf.data.make_one_shot_iterator(auto).get_next()
with tf.Session() as s:
    got = []
    for _ in range(2):  # (re-initializing starts over)
        s.run(it.initializer)
        got.append(drain(s, nxt))
    out["copied"] = got
    out["pre"] = drain(s, one)
    out["auto"] = drain(s, auto_next)
    out["bad"] = [jsonable(s.run(bad_next))]
    try:
        s.run(bad_next)
    except tf.errors.InvalidArgumentError as e:  # (the inner map's error, through the calls)
        out["bad"].append("bad : Tensor had Inf values" in str(e))
"""


@requires_tf
def test_copy_and_prefetch_to_device_match_tf(tmp_path):
    mine, theirs = run_both(GRAPH, tmp_path)
    assert mine == theirs
    assert mine["pre"] == [{"dtype": "int64", "value": v} for v in range(5)]
    assert mine["bad"] == [{"dtype": "float32", "value": 1.0}, True]


GPU = """
out = {}
ds = tf.data.Dataset.range(3).apply(tf.data.experimental.copy_to_device("/gpu:0"))
out["device"] = ds._variant_tensor.op.device
out["method"] = str(ds.make_one_shot_iterator().output_types)  # (TF 2.21 does not raise)
it = tf.data.make_initializable_iterator(ds)
nxt = it.get_next()
one = tf.data.make_one_shot_iterator(ds).get_next()
with tf.Session() as s:
    try:
        s.run(it.initializer)
    except tf.errors.InvalidArgumentError as e:
        msg = str(e)
        out["error"] = ["Cannot assign a device for operation GeneratorDataset" in msg,
                        "/device:GPU:0" in msg]
config = tf.ConfigProto(allow_soft_placement=True)
with tf.Session(config=config) as s:
    s.run(it.initializer)
    out["soft"] = drain(s, nxt)
    out["soft_one_shot"] = drain(s, one)
"""


@requires_tf
def test_gpu_target_placement_matches_tf(tmp_path):
    mine, theirs = run_both(GPU, tmp_path)
    assert mine == theirs
    assert mine["error"] == [True, True]


WRITE = """
ds = tf.data.Dataset.range(4).map(lambda x: x * 3)
ds = ds.apply(tf.data.experimental.prefetch_to_device("/cpu:0", 1))
it = tf.data.make_initializable_iterator(ds)
tf.identity(it.get_next(), name="out")
one = tf.data.Dataset.range(2).apply(tf.data.experimental.copy_to_device("/cpu:0"))
tf.identity(tf.data.make_one_shot_iterator(one).get_next(), name="one")
open(PATH, "wb").write(tf.get_default_graph().as_graph_def().SerializeToString())
"""

READ = """
gd = tf.GraphDef.FromString(open(PATH, "rb").read())
tf.import_graph_def(gd, name="")
g = tf.get_default_graph()
out = g.get_tensor_by_name("out:0")
with tf.Session() as s:
    got = []
    for _ in range(2):
        s.run(g.get_operation_by_name("MakeIterator"))
        got.append(drain(s, out))
    got.append(drain(s, g.get_tensor_by_name("one:0")))
"""

_DRAIN = """
def drain(sess, t):
    got = []
    while True:
        try:
            got.append(int(sess.run(t)))
        except tf.errors.OutOfRangeError:
            return got
"""


def _here(code: str, path) -> dict:
    scope: dict = {"tf": tfgraph, "PATH": str(path)}
    exec(_DRAIN, scope)
    with tfgraph.Graph().as_default():
        exec(code, scope)
    return scope


@requires_tf
def test_tf_graph_def_imports_and_runs_here(tmp_path):
    path = tmp_path / "tf.pb"
    run_tf(f"PATH = {str(path)!r}\n" + WRITE)
    assert _here(READ, path)["got"] == [[0, 3, 6, 9], [0, 3, 6, 9], [0, 1]]


@requires_tf
def test_graph_def_written_here_runs_in_tf(tmp_path):
    path = tmp_path / "mine.pb"
    _here(WRITE, path)
    out = run_tf(f"PATH = {str(path)!r}\n" + _DRAIN + READ + "print('@@' + json.dumps(got))\n")
    assert json.loads(out.split("@@", 1)[1]) == [[0, 3, 6, 9], [0, 3, 6, 9], [0, 1]]


def test_function_library_holds_the_remote_calls():
    with tfgraph.Graph().as_default() as g:
        tfgraph.data.Dataset.range(2).apply(tfgraph.data.experimental.copy_to_device("/cpu:0"))
        lib = {f.signature.name: f for f in g.as_graph_def().library.function}
    remote = [f for name, f in lib.items() if "_remote_" in name]
    assert len(remote) == 3
    for f in remote:
        calls = [n for n in f.node_def if n.op == "RemoteCall"]
        assert len(calls) == 1 and calls[0].attr["f"].func.name in lib
    init = next(f for name, f in lib.items() if name.startswith("__inference__init_func"))
    assert [n.op for n in init.node_def] == [
        "UnwrapDatasetVariant",
        "AnonymousIterator",
        "MakeIterator",
        "IteratorToStringHandle",
        "Identity",
    ]


def test_enable_debug_mode_in_graph_mode_raises():
    with pytest.raises(ValueError, match=r"only supported in eager mode"):
        tfgraph.data.experimental.enable_debug_mode()


EAGER = """
calls = []

def f(x, y):
    calls.append(bool(tf.executing_eagerly()))
    return {"s": x + y, "n": x * 2}

def pipeline():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [10, 20, 30]))
    return ds.map(f, num_parallel_calls=2).prefetch(1)

out = {"plain": [jsonable(v) for v in pipeline().as_numpy_iterator()], "plain_calls": calls}
calls = []
tf.data.experimental.enable_debug_mode()
ds = pipeline()
out["spec"] = str(ds.element_spec)
out["debug"] = [jsonable(v) for v in ds.as_numpy_iterator()]
out["debug_calls"] = calls
evens = tf.data.Dataset.range(6).filter(lambda x: x % 2 == 0)
out["filter"] = [int(v) for v in evens.as_numpy_iterator()]
"""


@requires_tf
def test_enable_debug_mode_eagerly_runs_functions_as_python():
    from tests.data_api.common import HELPERS
    from tfgraph.data import debug_mode

    scope: dict = {"tf": tfgraph, "np": __import__("numpy")}
    exec(HELPERS, scope)
    tfgraph.enable_v2_behavior()
    try:
        exec(EAGER, scope)
    finally:
        debug_mode.toggle_debug_mode(False)
        tfgraph.disable_v2_behavior()
    mine = json.loads(json.dumps(scope["out"]))
    printed = run_tf(HELPERS + EAGER + "print('@@' + json.dumps(out))\n", v1=False)
    assert mine == json.loads(printed.split("@@", 1)[1])
    assert mine["plain_calls"] == [False]
    assert mine["debug_calls"] == [False, True, True, True]
