"""Interop with real TensorFlow, both directions, for checkpoints, meta graphs and frozen
graphs.

tfgraph writes its files in this process first; then ONE TensorFlow subprocess reads
them (load_checkpoint, Saver.restore via latest_checkpoint, import_meta_graph +
restore + run + save again, import of the frozen graph) and writes its own (a Saver
checkpoint of every dtype, Adam slots and global_step, a meta graph, a graph.pbtxt, a
frozen graph), which the tests below read back with tfgraph. Values travel as base64
of their bytes, so every comparison is exact.
"""

from __future__ import annotations

import base64
import json
import os

import numpy as np
import pytest

import tfgraph as tf
from tests import tfrun
from tfgraph import proto

pytestmark = [pytest.mark.tf, tfrun.requires_tf]

BF16 = tf.bfloat16.np_dtype


def _bf16(values):
    from tfgraph.io.tensor_proto import bfloat16_bits

    return bfloat16_bits(np.asarray(values, np.float32)).view(BF16)


# name -> value; the same variables are saved by both sides.
SPEC = {
    "f16": np.float16([1, -2.5, 65504]),
    "bf": _bf16([1.0, -2.5, 3.0]),
    "f32": np.float32([[1.5, -0.0], [np.inf, 3e-38]]),
    "f64": np.float64([1.5, -2.25]),
    "i8": np.int8([-1, 7]),
    "i16": np.int16([-300, 7]),
    "i32": np.int32([[1, -2], [3, 4]]),
    "i64": np.int64([2**40, -1]),
    "u8": np.uint8([1, 255]),
    "u16": np.uint16([65535, 0]),
    "u32": np.uint32([2**32 - 1]),
    "u64": np.uint64([2**64 - 1]),
    "b": np.array([True, False, True]),
    "c64": np.complex64([1 + 2j, -3 - 4j]),
    "c128": np.complex128([1e300 - 2j]),
    "s": np.array([b"hello", b"", b"\x00\xff" * 100], dtype=object),
    "scalar": np.float32(3.0),
    "empty": np.zeros([0, 3], np.float32),
    "scope/nested": np.arange(5, dtype=np.float32),
}
_TF_DTYPES = {"bf": "bfloat16"}  # numpy dtype names elsewhere


def _enc(a) -> dict:
    a = np.asarray(a)
    if a.dtype == object:
        return {
            "strings": [base64.b64encode(bytes(x)).decode() for x in a.reshape(-1)],
            "shape": list(a.shape),
        }
    name = "bfloat16" if a.dtype == BF16 else str(a.dtype)
    data = np.ascontiguousarray(a).tobytes()
    return {"dtype": name, "shape": list(a.shape), "b64": base64.b64encode(data).decode()}


def _dec(d):
    if "strings" in d:
        out = np.empty(len(d["strings"]), dtype=object)
        out[:] = [base64.b64decode(s) for s in d["strings"]]
        return out.reshape(d["shape"])
    dtype = BF16 if d["dtype"] == "bfloat16" else np.dtype(d["dtype"])
    return np.frombuffer(base64.b64decode(d["b64"]), dtype=dtype).reshape(d["shape"])


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype == object or b.dtype == object:
        return a.tolist() == b.tolist()
    return a.tobytes() == b.tobytes() and a.dtype.itemsize == b.dtype.itemsize


_C = (
    'node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } '
    'attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 1 } } } }'
)
_T = 'attr { key: "T" value { type: DT_FLOAT } }'
IMPORT_CASES = {
    "duplicate": _C + _C,
    "unknown_op": _C + 'node { name: "x" op: "NoSuchOp" }',
    "unknown_input": _C + f'node {{ name: "x" op: "Identity" input: "nope" {_T} }}',
    "bad_output": _C + f'node {{ name: "x" op: "Identity" input: "c:3" {_T} }}',
    "missing_attr": _C + 'node { name: "x" op: "Identity" input: "c" }',
    "type_mismatch": _C + 'node { name: "x" op: "Identity" input: "c" '
    'attr { key: "T" value { type: DT_INT32 } } }',
    "control_first": _C + f'node {{ name: "x" op: "Identity" input: "^c" input: "c" {_T} }}',
    "cycle": f'node {{ name: "x" op: "Identity" input: "y" {_T} }}'
    f'node {{ name: "y" op: "Identity" input: "x" {_T} }}',
    "ref_expected": _C + f'node {{ name: "x" op: "Assign" input: "c" input: "c" {_T} }}',
    "min_consumer": _C + "versions { producer: 10 min_consumer: 3000 }",
    "colocation": _C + f'node {{ name: "x" op: "Identity" input: "c" {_T} '
    'attr { key: "_class" value { list { s: "loc:@zz" } } } }',
    "ok": _C + f'node {{ name: "x" op: "Identity" input: "c" {_T} }}',
}


# -- the TensorFlow side --------------------------------------------------------------------------
TF_CODE = r"""
import base64
P = json.loads(PATHS)
SPEC = json.loads(SPEC_JSON)
out = {}

def enc(a):
    a = np.asarray(a)
    if a.dtype == object:
        return {"strings": [base64.b64encode(bytes(x)).decode() for x in a.reshape(-1)],
                "shape": list(a.shape)}
    return {"dtype": str(a.dtype), "shape": list(a.shape),
            "b64": base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()}

def dec(d):
    if "strings" in d:
        arr = np.empty(len(d["strings"]), dtype=object)
        arr[:] = [base64.b64decode(s) for s in d["strings"]]
        return arr.reshape(d["shape"])
    dt = tf.bfloat16.as_numpy_dtype if d["dtype"] == "bfloat16" else np.dtype(d["dtype"])
    return np.frombuffer(base64.b64decode(d["b64"]), dtype=dt).reshape(d["shape"])

def attempt(key, fn):
    try:
        out[key] = fn()
    except Exception as e:
        out[key] = {"error": type(e).__name__, "message": str(e)[:500]}

values = {k: dec(v) for k, v in SPEC.items()}

def spec_variables(zero):
    made = {}
    for k, v in values.items():
        if zero:
            init = (np.zeros_like(v) if v.dtype != object
                    else np.array([b""] * v.size, dtype=object).reshape(v.shape))
        else:
            init = v
        made[k] = tf.Variable(tf.constant(init, dtype=tf.as_dtype(v.dtype)) if v.dtype != object
                              else tf.constant(init, dtype=tf.string), name=k)
    return made

# 1. tfgraph's checkpoint: load_checkpoint and a TF1 Saver via latest_checkpoint.
def read_tfgraph_checkpoint():
    r = tf.train.load_checkpoint(P["tfg_dir"])
    return {"dtypes": {k: v.name for k, v in r.get_variable_to_dtype_map().items()},
            "values": {k: enc(r.get_tensor(k)) for k in r.get_variable_to_shape_map()}}
attempt("load_checkpoint", read_tfgraph_checkpoint)

def restore_tfgraph_checkpoint():
    with tf.Graph().as_default():
        vs = spec_variables(zero=True)
        saver = tf.train.Saver()
        with tf.Session() as s:
            saver.restore(s, tf.train.latest_checkpoint(P["tfg_dir"]))
            return {k: enc(v) for k, v in s.run(vs).items()}
attempt("saver_restore", restore_tfgraph_checkpoint)

def relative_state():
    os.chdir(P["root"])
    return tf.train.latest_checkpoint("rel_run")
attempt("relative_latest", relative_state)

# 2. tfgraph's meta graph: import, init, restore, run, save again.
def import_tfgraph_meta():
    res = {}
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(P["tfg_meta"])
        res["globals"] = [(v.name, type(v).__name__, v.dtype.name) for v in tf.global_variables()]
        res["trainables"] = [v.name for v in tf.trainable_variables()]
        res["global_step"] = tf.train.get_global_step().name
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            res["initial"] = enc(s.run("w:0"))
            saver.restore(s, P["tfg_meta"][:-len(".meta")])
            res["restored_w"] = enc(s.run("w:0"))
            res["y"] = enc(s.run("y:0", {"x:0": [[1.0, 2.0], [3.0, -1.0]]}))
            s.run("w/Assign")  # back to the initial value, then save through tfgraph's saver
            res["resaved"] = saver.save(s, P["tf_resave"], global_step=9)
    return res
attempt("tfgraph_meta", import_tfgraph_meta)

def import_tfgraph_text_meta():
    with tf.Graph().as_default():
        tf.train.import_meta_graph(P["tfg_meta_txt"])
        return sorted(o.type for o in tf.get_default_graph().get_operations())
attempt("tfgraph_meta_text_ops", import_tfgraph_text_meta)

# 3. tfgraph's frozen graph runs in TF.
def run_frozen():
    gd = tf.GraphDef()
    with open(P["tfg_frozen"], "rb") as f:
        gd.ParseFromString(f.read())
    with tf.Graph().as_default():
        (y,) = tf.import_graph_def(gd, return_elements=["y:0"], name="")
        with tf.Session() as s:
            return enc(s.run(y, {"x:0": [[1.0, 2.0], [3.0, -1.0]]}))
attempt("frozen_y", run_frozen)

# 4. TF writes: a Saver checkpoint of every dtype (same values), Adam slots, global step.
def write_tf_files():
    res = {}
    with tf.Graph().as_default():
        spec_variables(zero=False)
        saver = tf.train.Saver()
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            res["spec_path"] = saver.save(s, P["tf_spec"], write_meta_graph=False)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
        b = tf.Variable([0.5, -0.5], name="b")
        y = tf.add(tf.matmul(x, w), b, name="y")
        gs = tf.train.get_or_create_global_step()
        tf.add_to_collection("outputs", y)
        saver = tf.train.Saver()
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            s.run([w.assign([[0.0, 1.0], [1.0, 0.0]]), gs.assign(3)])
            res["model_path"] = saver.save(s, P["tf_model"], global_step=gs)
            res["model_y"] = enc(s.run(y, {x: [[1.0, 2.0]]}))
        res["vardefs"] = {v.name: base64.b64encode(v.to_proto().SerializeToString()).decode()
                          for v in tf.global_variables()}
        tf.train.write_graph(tf.get_default_graph(), os.path.dirname(P["tf_model"]), "graph.pbtxt")
        tf.train.export_meta_graph(P["tf_meta_txt"], as_text=True)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
        b = tf.Variable([0.5, -0.5], name="b")
        y = tf.add(tf.matmul(x, w), b, name="y")
        loss = tf.reduce_sum(tf.square(y), name="loss")
        gs = tf.train.get_or_create_global_step()
        train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
        tf.add_to_collection("train_op", train)
        saver = tf.train.Saver()
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            s.run(train, {x: [[1.0, 1.0]]})
            res["adam_path"] = saver.save(s, P["tf_adam"], global_step=gs)
            res["adam_values"] = {v.op.name: enc(s.run(v)) for v in tf.global_variables()}
            res["adam_y"] = enc(s.run(y, {x: [[1.0, 2.0]]}))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0, -2.0], [0.5, 4.0]], name="w")
        y = tf.identity(tf.matmul(x, w) * 2.0 - 1.0, name="y")
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            frozen = tf.graph_util.convert_variables_to_constants(s, s.graph.as_graph_def(), ["y"])
            res["tf_frozen_y"] = enc(s.run(y, {x: [[1.0, 2.0], [3.0, -1.0]]}))
        with open(P["tf_frozen"], "wb") as f:
            f.write(frozen.SerializeToString())
    return res
attempt("tf_files", write_tf_files)

# 5. import_graph_def errors, for comparison with tfgraph's.
from google.protobuf import text_format
errors_out = {}
for key, text in json.loads(IMPORT_CASES).items():
    gd = text_format.Parse(text, tf.GraphDef())
    with tf.Graph().as_default():
        try:
            tf.import_graph_def(gd)
            errors_out[key] = None
        except Exception as e:
            errors_out[key] = [type(e).__name__, str(e)]
out["import_errors"] = errors_out
print(json.dumps(out))
"""


def _write_tfgraph_files(root: str) -> dict:
    paths = {
        "root": root,
        "tfg_dir": os.path.join(root, "tfg"),
        "tfg_meta": os.path.join(root, "meta", "model-5.meta"),
        "tfg_meta_txt": os.path.join(root, "meta", "model.pbtxt"),
        "tfg_frozen": os.path.join(root, "frozen.pb"),
        "tf_resave": os.path.join(root, "resave", "again"),
        "tf_spec": os.path.join(root, "tf", "spec"),
        "tf_adam": os.path.join(root, "tf", "adam"),
        "tf_model": os.path.join(root, "tf", "model"),
        "tf_meta_txt": os.path.join(root, "tf", "model.pbtxt"),
        "tf_frozen": os.path.join(root, "tf", "frozen.pb"),
    }
    os.makedirs(os.path.join(root, "tf"))
    os.makedirs(os.path.join(root, "resave"))
    # All dtypes, saved with a Saver.
    with tf.Graph().as_default():
        for k, v in SPEC.items():
            tf.Variable(tf.constant(v, dtype=tf.bfloat16) if k == "bf" else v, name=k)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            paths["tfg_spec"] = saver.save(
                sess, os.path.join(paths["tfg_dir"], "spec"), write_meta_graph=False
            )
            cwd = os.getcwd()
            os.chdir(root)
            try:
                saver.save(sess, os.path.join("rel_run", "model"), global_step=2)
            finally:
                os.chdir(cwd)
    # A small model: meta graph, checkpoint, frozen graph.
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
        b = tf.Variable([0.5, -0.5], name="b")
        tf.add(tf.matmul(x, w), b, name="y")
        tf.train.get_or_create_global_step()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(w.assign([[2.0, 0.0], [0.0, 2.0]]))
            saver.save(sess, os.path.join(root, "meta", "model"), global_step=5)
            saver.export_meta_graph(paths["tfg_meta_txt"], as_text=True)
            frozen = tf.graph_util.convert_variables_to_constants(sess, g.as_graph_def(), ["y"])
            tf.train.write_graph(frozen, root, "frozen.pb", as_text=False)
            paths["tfg_frozen_y"] = _enc(sess.run("y:0", {x: [[1.0, 2.0], [3.0, -1.0]]}))
    return paths


@pytest.fixture(scope="module")
def interop(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("files_vs_tf"))
    paths = _write_tfgraph_files(root)
    code = (
        f"PATHS = {json.dumps(json.dumps({k: v for k, v in paths.items() if isinstance(v, str)}))}"
        "\n"
        f"SPEC_JSON = {json.dumps(json.dumps({k: _enc(v) for k, v in SPEC.items()}))}\n"
        f"IMPORT_CASES = {json.dumps(json.dumps(IMPORT_CASES))}\n" + TF_CODE
    )
    results = tfrun.run_tf_json(code)
    for key, value in results.items():
        if isinstance(value, dict) and "error" in value:
            pytest.fail(f"TF side failed in {key}: {value['error']}: {value['message']}")
    return paths, results


# -- tfgraph writes, TF reads --------------------------------------------------------------------
def test_tf_load_checkpoint_reads_every_dtype(interop):
    _, res = interop
    got = res["load_checkpoint"]
    assert set(got["values"]) == set(SPEC)
    expected_types = {
        "f16": "float16", "bf": "bfloat16", "f32": "float32", "f64": "float64", "i8": "int8",
        "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8", "u16": "uint16",
        "u32": "uint32", "u64": "uint64", "b": "bool", "c64": "complex64", "c128": "complex128",
        "s": "string", "scalar": "float32", "empty": "float32", "scope/nested": "float32",
    }  # fmt: skip
    assert got["dtypes"] == expected_types
    for k, v in SPEC.items():
        assert _same(_dec(got["values"][k]), v), k


def test_tf_saver_restores_tfgraph_checkpoint(interop):
    _, res = interop
    for k, v in SPEC.items():
        assert _same(_dec(res["saver_restore"][k]), v), k


def test_tf_follows_tfgraph_relative_state_file(interop):
    _, res = interop
    assert res["relative_latest"] == os.path.join("rel_run", "model-2")


def test_tf_imports_tfgraph_meta_graph_restores_and_runs(interop):
    _, res = interop
    meta = res["tfgraph_meta"]
    assert meta["globals"] == [
        ["w:0", "RefVariable", "float32_ref"],
        ["b:0", "RefVariable", "float32_ref"],
        ["global_step:0", "RefVariable", "int64_ref"],
    ]
    assert meta["trainables"] == ["w:0", "b:0"]
    assert meta["global_step"] == "global_step:0"
    assert _dec(meta["initial"]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert _dec(meta["restored_w"]).tolist() == [[2.0, 0.0], [0.0, 2.0]]
    assert _dec(meta["y"]).tolist() == [[2.5, 3.5], [6.5, -2.5]]
    assert sorted(res["tfgraph_meta_text_ops"]).count("SaveV2") == 1


def test_tfgraph_reads_what_tf_saved_through_tfgraphs_saver(interop):
    paths, res = interop
    resaved = res["tfgraph_meta"]["resaved"]
    assert resaved == paths["tf_resave"] + "-9"
    reader = tf.train.load_checkpoint(os.path.dirname(resaved))
    assert reader.get_tensor("w").tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert sorted(reader.get_variable_to_shape_map()) == ["b", "global_step", "w"]


def test_frozen_tfgraph_graph_runs_in_tf(interop):
    paths, res = interop
    assert _same(_dec(res["frozen_y"]), _dec(paths["tfg_frozen_y"]))


# -- TF writes, tfgraph reads ----------------------------------------------------------------------
def test_bundles_are_byte_identical(interop):
    paths, res = interop
    ours, theirs = paths["tfg_spec"], res["tf_files"]["spec_path"]
    for suffix in (".index", ".data-00000-of-00001"):
        with open(ours + suffix, "rb") as a, open(theirs + suffix, "rb") as b:
            assert a.read() == b.read(), suffix


def test_tfgraph_restores_tf_checkpoint_of_every_dtype(interop):
    _, res = interop
    prefix = res["tf_files"]["spec_path"]
    with tf.Graph().as_default():
        variables = {}
        for k, v in SPEC.items():
            if k == "bf":
                zero = tf.constant([0.0, 0.0, 0.0], dtype=tf.bfloat16)
            elif v.dtype == object:
                zero = np.array([b""] * v.size, object).reshape(v.shape)
            else:
                zero = np.zeros_like(v)
            variables[k] = tf.Variable(zero, name=k)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            got = sess.run(variables)
    for k, v in got.items():
        assert _same(v, SPEC[k]), k


def test_tfgraph_restores_adam_slots_and_global_step(interop):
    _, res = interop
    files = res["tf_files"]
    expected = {k: _dec(v) for k, v in files["adam_values"].items()}
    assert {"w/Adam", "w/Adam_1", "b/Adam", "beta1_power", "beta2_power", "global_step"} <= set(
        expected
    )
    with tf.Graph().as_default():
        variables = {k: tf.Variable(np.zeros_like(v), name=k) for k, v in expected.items()}
        saver = tf.train.Saver(variables)
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(os.path.dirname(files["adam_path"])))
            got = sess.run(variables)
    for k, v in expected.items():
        assert _same(got[k], v), k
    assert int(got["global_step"]) == 1


def test_tfgraph_imports_tf_meta_graph_restores_and_runs(interop):
    paths, res = interop
    files = res["tf_files"]
    for source in (files["model_path"] + ".meta", paths["tf_meta_txt"]):
        with tf.Graph().as_default() as g:
            saver = tf.train.import_meta_graph(source)
            assert [v.name for v in tf.global_variables()] == ["w:0", "b:0", "global_step:0"]
            for v in tf.global_variables():
                expected = base64.b64decode(files["vardefs"][v.name])
                assert v.to_proto().SerializeToString() == expected, v.name
            assert tf.get_collection("outputs") == [g.get_tensor_by_name("y:0")]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                saver.restore(sess, files["model_path"])
                y = sess.run("y:0", {"x:0": [[1.0, 2.0]]})
                assert sess.run("global_step:0") == 3
            assert _same(y, _dec(files["model_y"]))


def test_tfgraph_imports_tf_adam_meta_graph(interop):
    _, res = interop
    files = res["tf_files"]
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(files["adam_path"] + ".meta")
        # minimize added the train op to TRAIN_OP and the program added it again: TF keeps
        # both entries (checked with TF 2.21), and so does the imported collection.
        assert [o.type for o in tf.get_collection("train_op")] == ["AssignAdd", "AssignAdd"]
        with tf.Session() as sess:
            saver.restore(sess, files["adam_path"])
            y = sess.run(g.get_tensor_by_name("y:0"), {"x:0": [[1.0, 2.0]]})
        np.testing.assert_allclose(y, _dec(files["adam_y"]), rtol=1e-6)


def test_tfgraph_imports_tf_graph_pbtxt(interop):
    paths, _ = interop
    with open(os.path.join(os.path.dirname(paths["tf_model"]), "graph.pbtxt")) as f:
        gd = proto.text_format.Parse(f.read(), tf.GraphDef())
    forward = tf.graph_util.extract_sub_graph(gd, ["y"])
    with tf.Graph().as_default() as g:
        tf.import_graph_def(forward, name="")
        again = {n.name: n for n in g.as_graph_def().node}
    for node in forward.node:
        mine = again[node.name]
        assert (mine.op, list(mine.input), mine.device) == (node.op, list(node.input), node.device)
        for key, value in node.attr.items():
            assert mine.attr[key] == value, (node.name, key)


def test_tf_frozen_graph_runs_in_tfgraph(interop):
    paths, res = interop
    gd = tf.GraphDef()
    with tf.gfile.GFile(paths["tf_frozen"], "rb") as f:
        gd.ParseFromString(f.read())
    with tf.Graph().as_default():
        (y,) = tf.import_graph_def(gd, return_elements=["y:0"], name="")
        with tf.Session() as sess:
            got = sess.run(y, {"x:0": [[1.0, 2.0], [3.0, -1.0]]})
    assert _same(got, _dec(res["tf_files"]["tf_frozen_y"]))


def test_import_graph_def_errors_match_tf(interop):
    _, res = interop
    for key, text in IMPORT_CASES.items():
        theirs = res["import_errors"][key]
        with tf.Graph().as_default():
            try:
                tf.import_graph_def(proto.text_format.Parse(text, tf.GraphDef()))
                mine = None
            except Exception as e:
                mine = [type(e).__name__, str(e)]
        if theirs is None:
            assert mine is None, key
            continue
        assert mine is not None, key
        assert mine[0] == theirs[0] or (
            mine[0] == "UnregisteredOpError" and theirs[0] == "NotFoundError"
        ), key
        phrase = theirs[1].split(" in binary running on")[0].split(" for TensorFlow")[0]
        assert phrase in mine[1], (key, theirs[1], mine[1])
