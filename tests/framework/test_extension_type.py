"""tf.experimental.ExtensionType in TF1 graph mode: typed fields, Spec, immutability,
__eq__/__repr__/__validate__, tf.nest (expand_composites), tf.cond / tf.while_loop loop
vars, Session.run, BatchableExtensionType and ExtensionTypeBatchEncoder; the same
program runs in tfgraph and in TensorFlow."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = r"""
import typing
import numpy as np
out = []
def rec(f):
    try:
        out.append(str(f()))
    except Exception as e:
        out.append(type(e).__name__ + ": " + str(e).split("\n")[0][:160])

class MT(tf.experimental.ExtensionType):
    values: tf.Tensor
    mask: tf.Tensor
    label: str = "n"
    def __validate__(self):
        self.values.shape.assert_is_compatible_with(self.mask.shape)

class C(tf.experimental.ExtensionType):
    t: typing.Tuple[tf.Tensor, ...]
    d: typing.Mapping[str, tf.Tensor]
    o: typing.Optional[tf.Tensor] = None
    u: typing.Union[int, float] = 1

class Outer(tf.experimental.ExtensionType):
    inner: MT
    scale: tf.Tensor
    shape: tf.TensorShape
    dtype: tf.DType

class Custom(tf.experimental.ExtensionType):
    x: tf.Tensor
    n: int
    def __init__(self, x, n=2):
        self.x = tf.convert_to_tensor(x) * n
        self.n = n

class B(tf.experimental.BatchableExtensionType):
    v: tf.Tensor
    w: typing.Tuple[tf.Tensor, tf.Tensor]

m = MT([1.0, 2.0], [True, False])
sess = tf.Session()
run = lambda x: str(sess.run(x))
rec(lambda: m)
rec(lambda: m.values)
rec(lambda: m.label)
rec(lambda: m._type_spec)
rec(lambda: type(m._type_spec).__name__ + " " + type(m._type_spec).__qualname__)
rec(lambda: isinstance(m._type_spec, tf.experimental.ExtensionTypeSpec))
rec(lambda: isinstance(m._type_spec, tf.TypeSpec))
rec(lambda: m._type_spec.value_type is MT)
rec(lambda: m._type_spec.values)
rec(lambda: m._type_spec == MT([3.0, 4.0], [True, True])._type_spec)
rec(lambda: hash(m._type_spec) == hash(MT([3.0, 4.0], [True, True])._type_spec))
rec(lambda: m._type_spec == MT([3.0], [True])._type_spec)
rec(lambda: m._type_spec.is_compatible_with(MT([3.0, 4.0], [True, True])))
p1 = MT(tf.placeholder(tf.float32, [None]), [True])._type_spec
p2 = MT(tf.placeholder(tf.float32, [None]), [True, False])._type_spec
rec(lambda: p1.is_compatible_with(m._type_spec))
rec(lambda: p2.most_specific_common_supertype([m._type_spec]))
rec(lambda: p1.most_specific_common_supertype([MT([1.0], [True], label="z")._type_spec]))
rec(lambda: MT([1.0, 2.0], [True]))
rec(lambda: MT([1.0, 2.0]))
rec(lambda: MT([1.0, 2.0], [True, False], label=3))
rec(lambda: MT(object(), [True]))
rec(lambda: MT([1.0], [True], "a", 4))
def mutate():
    m.values = 3
rec(mutate)
def delete():
    del m.mask
rec(delete)
c = C([1, [2.0]], {"b": 3, "a": [4]})
rec(lambda: c)
rec(lambda: c._type_spec)
rec(lambda: c.d["a"])
rec(lambda: C((), {}, o=tf.constant(1.0), u=2.5))
rec(lambda: C((), {}, u="x"))
rec(lambda: C(5, {}))
rec(lambda: C((), [1]))
o = Outer(m, 2.0, [None, 3], "int64")
rec(lambda: o)
rec(lambda: o._type_spec)
rec(lambda: Outer([1.0], 2.0, [3], tf.int32))
rec(lambda: Custom([1, 2]))
rec(lambda: Custom([1, 2], n=3).n)
rec(lambda: tf.experimental.extension_type.as_dict(m))
rec(lambda: tf.nest.flatten(m))
rec(lambda: tf.nest.flatten(m, expand_composites=True))
rec(lambda: tf.nest.flatten({"c": c, "o": o}, expand_composites=True))
double = lambda t: t * 2 if t.dtype == tf.float32 else t
rec(lambda: tf.nest.map_structure(double, o, expand_composites=True))
parts = [tf.constant([5.0]), tf.constant([True])]
rec(lambda: tf.nest.pack_sequence_as(m, parts, expand_composites=True))
o2 = tf.nest.map_structure(double, o, expand_composites=True)
rec(lambda: run(tf.nest.flatten(o2, expand_composites=True)))
rec(lambda: run(m == m))
rec(lambda: run(m == MT([1.0, 3.0], [True, False])))
rec(lambda: run(m != MT([1.0, 3.0], [True, False])))
rec(lambda: m == MT([1.0, 2.0, 3.0], [True, False, True]))
rec(lambda: m == MT([1.0, 2.0], [True, False], label="other"))
rec(lambda: m == 3)
rec(lambda: run(c == C([1, [2.0]], {"b": 3, "a": [4]})))
rec(lambda: run(m))
rec(lambda: run([m.values, m.mask]))
r = tf.cond(tf.constant(False), lambda: m, lambda: MT([5.0, 6.0], [False, True]))
rec(lambda: r)
rec(lambda: run(tf.nest.flatten(r, expand_composites=True)))
i, w = tf.while_loop(lambda i, w: i < 3, lambda i, w: (i + 1, MT(w.values * 2, w.mask)), [0, m])
rec(lambda: w)
rec(lambda: run(tf.nest.flatten(w, expand_composites=True)))
b = B([[1, 2], [3, 4]], ([1.0, 2.0], [[1], [2]]))
bs = b._type_spec
rec(lambda: bs)
rec(lambda: type(bs).__mro__[1].__name__)
rec(lambda: isinstance(bs, tf.experimental.ExtensionTypeSpec))
rec(lambda: bs._batch(4))
rec(lambda: bs._batch(None))
rec(lambda: bs._unbatch())
rec(lambda: bs._component_specs)
rec(lambda: bs._to_components(b))
rec(lambda: bs._from_components([tf.constant([9]), tf.constant(1.0), tf.constant([2])]))
enc = tf.experimental.ExtensionTypeBatchEncoder()
rec(lambda: enc.batch(bs, 3))
rec(lambda: enc.unbatch(bs))
rec(lambda: enc.encoding_specs(bs))
rec(lambda: enc.encode(bs, b))
rec(lambda: enc.decode(bs, enc.encode(bs, b)))
rec(lambda: m._type_spec._to_components(m))
rec(lambda: m._type_spec._from_components([tf.constant([7.0]), tf.constant([False])]))
rec(lambda: MT.Spec(values=tf.TensorSpec([2]), mask=tf.TensorSpec([2], tf.bool), label="s"))
mapped = tf.map_fn(lambda e: B(e.v * 2, (e.w[0] + 1.0, e.w[1])), b)
rec(lambda: mapped)
rec(lambda: run(tf.nest.flatten(mapped, expand_composites=True)))
rec(lambda: run(tf.map_fn(lambda e: tf.reduce_sum(e.v), b, dtype=tf.int32)))

class WithSpec(tf.experimental.ExtensionType):
    v: tf.Tensor
    class Spec:
        @property
        def rank(self):
            return self.v.shape.rank
ws = WithSpec([[1]])
rec(lambda: (ws._type_spec.rank, type(ws._type_spec).__name__))
rec(lambda: isinstance(ws._type_spec, tf.experimental.ExtensionTypeSpec))
class MT2(MT):
    extra: int = 0
rec(lambda: MT2([1.0], [True], extra=2))
rec(lambda: MT2([1.0], [True], "x", 3)._type_spec)
rec(lambda: isinstance(MT2([1.0], [True]), MT))
class R(tf.experimental.ExtensionType):
    r: tf.RaggedTensor
    s: tf.SparseTensor
rv = R(tf.ragged.constant([[1, 2], [3]]), tf.SparseTensor([[0, 1]], [1.0], [2, 2]))
rec(lambda: len(tf.nest.flatten(rv, expand_composites=True)))
rec(lambda: [t.dtype for t in tf.nest.flatten(rv, expand_composites=True)])
rc = tf.cond(tf.constant(True), lambda: rv, lambda: rv)
rec(lambda: type(rc.r).__name__ + " " + type(rc.s).__name__)
rec(lambda: run([rc.r.flat_values, rc.r.row_splits, rc.s.values]))
rec(lambda: R(5, rv.s))
rec(lambda: R([[1], [2, 3]], rv.s).r)
rec(lambda: hash(m))
rec(lambda: tf.identity(m))
rec(lambda: tf.stop_gradient(m))
rec(lambda: tf.group(m).node_def.input)
rec(lambda: tf.convert_to_tensor(m))
rec(lambda: (tf.is_tensor(m), tf.nest.is_nested(m)))
rec(lambda: sess.run(m.values, feed_dict={m: MT([3.0, 4.0], [True, True])}))
"""


def _ours() -> list:
    env = {"tf": tf, "np": np}
    with tf.Graph().as_default():
        exec(PROGRAM, env)
    return env["out"]


def test_extension_type_basics():
    got = _ours()
    assert got[0] == (
        "MT(values=<tf.Tensor 'Const:0' shape=(2,) dtype=float32>, mask=<tf.Tensor "
        "'Const_1:0' shape=(2,) dtype=bool>, label='n')"
    )
    assert "Cannot mutate attribute `values`" in "\n".join(got)


@pytest.mark.tf
@requires_tf
def test_extension_type_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nimport json\nprint(json.dumps(out))")
    ours = _ours()
    assert len(ours) == len(theirs)
    mismatches = [(i, o, t) for i, (o, t) in enumerate(zip(ours, theirs)) if o != t]
    assert not mismatches, json.dumps(mismatches, indent=1)
