"""tf.experimental.dispatch_for_api, the elementwise dispatch decorators and
unregister_dispatch_for, with an ExtensionType: the same program in tfgraph and in TF."""

from __future__ import annotations

import inspect
import json
import re

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json
from tfgraph.framework import dispatch, dispatch_apis

PROGRAM = r"""
import re, typing
import numpy as np
out = []
def rec(f):
    try:
        out.append(re.sub(r" at 0x[0-9a-f]+", "", str(f())))
    except Exception as e:
        message = str(e).split("\n")[0][:300]
        out.append(type(e).__name__ + ": " + re.sub(r" at 0x[0-9a-f]+", "", message))
sess = tf.Session()
run = lambda x: str(sess.run(x))

class MT(tf.experimental.ExtensionType):
    values: tf.Tensor
    mask: tf.Tensor

m = MT([1.0, -2.0], [True, False])
rec(lambda: run(tf.add(1, 2)))
rec(lambda: tf.add(m, m))

@tf.experimental.dispatch_for_api(tf.math.add, {"x": MT, "y": MT})
def add_mt(x, y, name=None):
    return MT(x.values + y.values, tf.logical_and(x.mask, y.mask))

rec(lambda: tf.add(m, m))
rec(lambda: tf.math.add(m, m, name="zz"))
rec(lambda: run(tf.add(m, m).values))
rec(lambda: tf.add(m, 1.0))
rec(lambda: run(tf.add(3, 4)))

@tf.experimental.dispatch_for_api(tf.shape)
def shape_mt(input: MT, name=None, out_type=None):
    return tf.shape(input.values, out_type=out_type or tf.int32)

rec(lambda: tf.shape(m))
rec(lambda: run(tf.shape(m)))

@tf.experimental.dispatch_for_api(tf.concat, {"values": typing.List[MT]})
def concat_mt(values, axis, name="concat"):
    masks = tf.concat([v.mask for v in values], axis)
    return MT(tf.concat([v.values for v in values], axis), masks)

rec(lambda: run(tf.concat([m, m], 0).values))
rec(lambda: run(tf.concat([m.values, m.values], 0)))

@tf.experimental.dispatch_for_api(tf.reduce_sum, {"input_tensor": MT})
@tf.experimental.dispatch_for_api(tf.reshape, {"tensor": MT})
@tf.experimental.dispatch_for_api(tf.gather, {"params": MT})
def on_values(*args, **kwargs):
    return "on_values"

rec(lambda: tf.reduce_sum(m, axis=0))
rec(lambda: tf.reshape(m, [2, 1]))
rec(lambda: tf.gather(m, [0]))
rec(lambda: run(tf.reduce_sum([1, 2])))

@tf.experimental.dispatch_for_unary_elementwise_apis(MT)
def unary(api_func, x):
    return MT(api_func(x.values), x.mask)

rec(lambda: tf.exp(m))
rec(lambda: tf.math.exp(m, name="e"))
rec(lambda: tf.cast(m, tf.int32))
rec(lambda: tf.nn.relu(m))
rec(lambda: run(tf.abs(m).values))
rec(lambda: run(tf.math.negative(m).values))
rec(lambda: run(tf.exp(tf.constant(0.0))))

@tf.experimental.dispatch_for_binary_elementwise_apis(typing.Union[MT, tf.Tensor], MT)
def binary(api_func, x, y):
    xv = x.values if isinstance(x, MT) else x
    return MT(api_func(xv, y.values), y.mask)

rec(lambda: tf.multiply(tf.constant([3.0, 4.0]), m))
rec(lambda: run(tf.maximum(tf.constant([0.0, 0.0]), m).values))
rec(lambda: run(tf.math.subtract(m, m, name="s").values))
rec(lambda: tf.add(m, m))

@tf.experimental.dispatch_for_binary_elementwise_assert_apis(MT, MT)
def asserts(assert_func, x, y):
    return assert_func(x.values, y.values)

rec(lambda: tf.debugging.assert_equal(m, m).type)
rec(lambda: tf.debugging.assert_less(m, MT([5.0, 6.0], [True, True])).type)

tf.experimental.unregister_dispatch_for(unary)
rec(lambda: tf.exp(m))
rec(lambda: tf.experimental.unregister_dispatch_for(unary))
tf.experimental.unregister_dispatch_for(binary)
rec(lambda: tf.add(m, m))
rec(lambda: run(tf.multiply(2.0, 3.0)))

def bad(x, y, name=None):
    pass
rec(lambda: tf.experimental.dispatch_for_api(tf.math.add, {"q": MT})(bad))
def bad2(a, b, name=None):
    pass
rec(lambda: tf.experimental.dispatch_for_api(tf.math.add, {"x": MT})(bad2))
rec(lambda: tf.experimental.dispatch_for_api(lambda x: x, {"x": MT}))
rec(lambda: tf.experimental.dispatch_for_api(tf.math.add)(bad))

# Tensor operators: TF's -, *, /, //, %, ** and comparisons dispatch; +, & and ^ do not.
MT_OR_T = typing.Union[MT, tf.Tensor]

@tf.experimental.dispatch_for_binary_elementwise_apis(MT_OR_T, MT_OR_T)
def both(api_func, x, y):
    xv = x.values if isinstance(x, MT) else x
    yv = y.values if isinstance(y, MT) else y
    return MT(api_func(xv, yv), tf.constant([True, True]))

def kind(f):
    try:
        return f().values.op.name
    except Exception as e:
        return type(e).__name__
t = tf.constant([3.0, 4.0])
import operator
for opname in ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt", "ge", "and_"]:
    out.append(kind(lambda: getattr(operator, opname)(t, m)))
rec(lambda: run(tf.subtract(t, m).values))
rec(lambda: run(tf.subtract(t, t)))  # (tensors alone never dispatch)

# Only values of dispatchable types (extension types, composite tensors) trigger dispatch.
class Foo:
    pass
def on_int(x, y, name=None):
    return "int"
tf.experimental.dispatch_for_api(tf.math.maximum, {"x": int})(on_int)
rec(lambda: tf.maximum(1, 2))
def on_foo(x, y, name=None):
    return "foo"
tf.experimental.dispatch_for_api(tf.math.minimum, {"x": Foo})(on_foo)
out.append(kind(lambda: tf.minimum(Foo(), 2)))
def on_tensor(x, y, name=None):
    return "tensor"
tf.experimental.dispatch_for_api(tf.math.floormod, {"x": tf.Tensor})(on_tensor)
rec(lambda: tf.math.floormod(tf.constant(5), 2))
"""


def _ours() -> list:
    env = {"tf": tf, "np": np}
    with tf.Graph().as_default():
        exec(compile(PROGRAM, "<program>", "exec", dont_inherit=True), env)
    return env["out"]


@pytest.fixture(autouse=True)
def _clean_registrations():
    yield
    for target in list(dispatch._REGISTERED):
        dispatch.unregister_dispatch_for(target)


def test_dispatch_routes_extension_types():
    got = _ours()
    assert got[4] == "[ 2. -4.]"


@pytest.mark.tf
@requires_tf
def test_dispatch_matches_tf():
    theirs = run_tf_json(PROGRAM + "\nimport json\nprint(json.dumps(out))")
    ours = _ours()
    assert len(ours) == len(theirs)
    mismatches = [(i, o, t) for i, (o, t) in enumerate(zip(ours, theirs)) if o != t]
    assert not mismatches, json.dumps(mismatches, indent=1)


def test_every_listed_api_is_dispatchable_under_each_of_its_names():
    for dotted in dispatch_apis.DISPATCHABLE:
        obj = tf
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
        if obj is None or inspect.isclass(obj):
            continue
        assert dispatch.is_dispatchable(obj), dotted
    assert tf.compat.v1.math.add is tf.add
    assert tf.math.exp is tf.exp


def test_ambiguous_targets_are_an_error():
    class T(tf.experimental.ExtensionType):
        v: tf.Tensor

    @tf.experimental.dispatch_for_api(tf.math.add, {"x": T})
    def first(x, y, name=None):
        return "first"

    @tf.experimental.dispatch_for_api(tf.math.add, {"y": T})
    def second(x, y, name=None):
        return "second"

    t = T([1.0])
    assert tf.add(t, 1.0) == "first"
    with pytest.raises(ValueError, match=re.escape("Multiple dispatch targets")):
        tf.add(t, t)
