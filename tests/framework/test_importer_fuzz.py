"""Fuzzing `tf.import_graph_def` with mutated GraphDefs (hypothesis, derandomized).

Valid GraphDefs built with tfgraph are mutated (bytes flipped in the serialized
proto, attrs replaced by random AttrValues of any kind, constants given random
dtypes, shapes and contents, nodes renamed, inputs rewired to random names) and
imported into a graph that already holds an op. Then:

* Import either succeeds or raises what TensorFlow 2.21 raises from import:
  ValueError (bad nodes, attrs, names, shapes), TypeError (`_class` that is not a
  list of strings, as in TF's importer) or an `OpError` (NotFoundError for an op type
  tfgraph does not know). Anything else (AttributeError, IndexError, MemoryError,
  numpy errors, ...) is a bug. A failed import must leave the graph exactly as it
  was: the same ops, unique-name counters and consumers.
* A successful import can be exported again (`as_graph_def`) and is run (every
  output of the imported ops, in one `Session.run`, when all their static shapes
  are known and small); running may only raise `OpError` subclasses, as TF's
  session does.
* Bytes that do not parse as a GraphDef raise protobuf's DecodeError from
  `GraphDef.FromString`, as with TF's proto class; such cases are not imported.
"""

from __future__ import annotations

import datetime
import os

import numpy as np
import pytest
from google.protobuf.message import DecodeError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfgraph as tf
from tfgraph import errors, proto

# Exceptions import_graph_def may raise for a bad GraphDef (what TF raises, see above).
IMPORT_ERRORS = (ValueError, TypeError, errors.OpError)

# TFGRAPH_FUZZ_EXAMPLES=5000 (and TFGRAPH_FUZZ_RANDOM=1) for a longer hunt by hand.
SETTINGS = settings(
    max_examples=int(os.environ.get("TFGRAPH_FUZZ_EXAMPLES", "800")),
    deadline=datetime.timedelta(seconds=3),
    derandomize=not os.environ.get("TFGRAPH_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

COUNTS: dict[str, int] = {}


def _count(key: str) -> None:
    COUNTS[key] = COUNTS.get(key, 0) + 1


def _build_bases() -> list[bytes]:
    out = []
    g = tf.Graph()
    with g.as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="x")
        y = tf.identity(x, name="y")
        a, b = tf.split(x, 2, name="s")
        tf.add(a, b, name="sum")
        tf.matmul(x, y, name="mm")
        tf.unstack(x, name="u")
        tf.reshape(x, [4], name="r")
        tf.cast(x, tf.int32, name="c")
        tf.nn.relu(x, name="relu")
        tf.pad(x, [[0, 1], [1, 0]], name="p")
        tf.concat([x, y], 0, name="cat")
        tf.fill([2, 3], 7.0, name="f")
        tf.add_n([x, y, x], name="n")
        tf.no_op(name="noop")
    out.append(g.as_graph_def().SerializeToString())
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder_with_default(tf.constant([1, 2, 3], tf.int64), [3], name="p")
        q = tf.constant([b"a", b"bc"], name="str")
        with tf.control_dependencies([q.op]):
            z = tf.expand_dims(p, 0, name="z")
        tf.tile(z, [2, 1], name="t")
        tf.reduce_sum(z, axis=1, name="rs")
        tf.transpose(z, name="tr")
        tf.zeros_like(p, name="zl")
        tf.constant(np.arange(6, dtype=np.float16).reshape(2, 3), name="h")
        tf.constant(0.5, shape=[3, 2], name="fill_const")
    out.append(g.as_graph_def().SerializeToString())
    return out


BASES = _build_bases()

_NAMES = st.text(alphabet="ab_:^/.-0 ", min_size=0, max_size=5)
_DTYPE_ENUMS = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 14, 19, 20, 21, 101, 999])
# Small dims, at most one of them large: huge declared sizes exercise the checks made
# before decoding, while the elements actually decoded stay few.
_DIMS = st.tuples(
    st.lists(st.integers(-2, 4), max_size=3),
    st.one_of(st.none(), st.sampled_from([300, 10**12, 2**40, 2**62])),
    st.integers(0, 3),
).map(lambda t: t[0] if t[1] is None else t[0][: t[2]] + [t[1]] + t[0][t[2] :])


@st.composite
def _shape_proto(draw):
    shape = proto.TensorShapeProto()
    if draw(st.integers(0, 9)) == 0:
        shape.unknown_rank = True
    for d in draw(_DIMS):
        shape.dim.add().size = d
    return shape


@st.composite
def _tensor_proto(draw):
    t = proto.TensorProto()
    t.dtype = draw(_DTYPE_ENUMS)
    t.tensor_shape.CopyFrom(draw(_shape_proto()))
    how = draw(st.integers(0, 3))
    if how == 1:
        t.tensor_content = draw(st.binary(max_size=24))
    elif how == 2:
        t.float_val.extend(draw(st.lists(st.floats(width=32), max_size=6)))
        t.int_val.extend(draw(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=6)))
    elif how == 3:
        t.string_val.extend(draw(st.lists(st.binary(max_size=3), max_size=4)))
        t.int64_val.extend(draw(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=4)))
    return t


@st.composite
def _attr_value(draw):
    av = proto.AttrValue()
    kind = draw(
        st.sampled_from(
            ["none", "s", "i", "f", "b", "type", "shape", "tensor", "func", "list"]
            + ["list_i", "list_type", "list_s", "list_shape"]
        )
    )
    if kind == "s":
        av.s = draw(st.sampled_from([b"", b"SAME", b"VALID", b"NHWC", b"loc:@x", b"\xff"]))
    elif kind == "i":
        av.i = draw(st.sampled_from([-1, 0, 1, 2, 3, 4, 10**7, 10**12, 2**62]))
    elif kind == "f":
        av.f = draw(st.floats(width=32))
    elif kind == "b":
        av.b = draw(st.booleans())
    elif kind == "type":
        av.type = draw(_DTYPE_ENUMS)
    elif kind == "shape":
        av.shape.CopyFrom(draw(_shape_proto()))
    elif kind == "tensor":
        av.tensor.CopyFrom(draw(_tensor_proto()))
    elif kind == "func":
        av.func.name = "f"
    elif kind == "list":
        av.list.SetInParent()
    elif kind == "list_i":
        av.list.i.extend(draw(st.lists(st.integers(-2, 5), max_size=5)))
    elif kind == "list_type":
        av.list.type.extend(draw(st.lists(_DTYPE_ENUMS, max_size=4)))
    elif kind == "list_s":
        av.list.s.extend(draw(st.lists(st.sampled_from([b"loc:@x", b"loc:@y", b"z"]), max_size=3)))
    elif kind == "list_shape":
        for s in draw(st.lists(_shape_proto(), max_size=2)):
            av.list.shape.add().CopyFrom(s)
    return av


def _check_import(serialized: bytes) -> None:
    """Imports a (mutated) GraphDef and runs it; fails on any exception TF would not
    raise and on a partially imported graph."""
    try:
        gd = tf.GraphDef.FromString(serialized)
    except DecodeError:
        _count("decode error")
        return
    g = tf.Graph()
    with g.as_default():
        keep = tf.constant(1.0, name="keep")
        ops_before = g.get_operations()
        names_before = dict(g._names_in_use)
        try:
            tf.import_graph_def(gd, name="imp")
        except IMPORT_ERRORS as e:
            _count(f"import {type(e).__name__}")
            assert g.get_operations() == ops_before, "partially imported graph"
            assert g._names_in_use == names_before, "unique-name counters changed"
            assert keep.consumers() == []
            return
        _count("imported")
        exported = g.as_graph_def()  # an imported graph can always be exported again
        assert len(exported.node) == len(g.get_operations())
        fetches = [t for op in g.get_operations()[len(ops_before) :] for t in op.outputs]
        fetches = [t for t in fetches if t.dtype.base_dtype not in (tf.resource, tf.variant)]
        if not fetches:
            return
        sizes = [t.shape.num_elements() for t in fetches]
        if any(n is None or n > 10**5 for n in sizes):
            # A valid graph that computes something huge (a flipped byte in a Fill's
            # dims): running it only measures numpy, and TF would allocate it too.
            _count("not run (large or unknown shape)")
            return
        with tf.Session(graph=g) as sess:
            try:
                sess.run(fetches)
                _count("ran")
            except errors.OpError as e:
                _count(f"run {type(e).__name__}")


def _mutable_nodes(gd):
    return list(gd.node)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    if COUNTS:
        print("\nimporter fuzz cases:", dict(sorted(COUNTS.items())))


@SETTINGS
@given(
    base=st.sampled_from(BASES),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=4),
)
def test_fuzz_flipped_bytes(base, flips):
    data = bytearray(base)
    for pos, mask in flips:
        data[pos % len(data)] ^= mask
    _check_import(bytes(data))


@SETTINGS
@given(base=st.sampled_from(BASES), data=st.data())
def test_fuzz_random_attr_values(base, data):
    gd = tf.GraphDef.FromString(base)
    for _ in range(data.draw(st.integers(1, 3))):
        node = data.draw(st.sampled_from(_mutable_nodes(gd)))
        keys = sorted(node.attr) + ["_class", "T", "N", "num_split", "dtype", "shape"]
        key = data.draw(st.sampled_from(keys))
        node.attr[key].CopyFrom(data.draw(_attr_value()))
    _check_import(gd.SerializeToString())


@SETTINGS
@given(base=st.sampled_from(BASES), data=st.data())
def test_fuzz_random_constants(base, data):
    gd = tf.GraphDef.FromString(base)
    consts = [n for n in gd.node if n.op == "Const"]
    for _ in range(data.draw(st.integers(1, 2))):
        node = data.draw(st.sampled_from(consts))
        tensor = data.draw(_tensor_proto())
        node.attr["value"].tensor.CopyFrom(tensor)
        if data.draw(st.booleans()):
            node.attr["dtype"].type = tensor.dtype
    _check_import(gd.SerializeToString())


@SETTINGS
@given(base=st.sampled_from(BASES), data=st.data())
def test_fuzz_random_names_and_inputs(base, data):
    gd = tf.GraphDef.FromString(base)
    names = [n.name for n in gd.node]
    for _ in range(data.draw(st.integers(1, 3))):
        node = data.draw(st.sampled_from(_mutable_nodes(gd)))
        what = data.draw(st.integers(0, 3))
        if what == 0:
            node.name = data.draw(st.one_of(_NAMES, st.sampled_from(names)))
        elif what == 1 and node.input:
            i = data.draw(st.integers(0, len(node.input) - 1))
            node.input[i] = data.draw(
                st.one_of(
                    _NAMES,
                    st.builds(lambda n, k: f"{n}:{k}", st.sampled_from(names), st.integers(0, 3)),
                    st.builds(lambda n: "^" + n, st.sampled_from(names)),
                )
            )
        elif what == 2:
            node.input.append(data.draw(st.sampled_from(names)))
        else:
            node.op = data.draw(st.sampled_from(["Identity", "NoSuchOp", "Const", "AddN", "Split"]))
    _check_import(gd.SerializeToString())
