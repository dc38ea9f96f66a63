"""QuantizeV2 / Dequantize (tf.quantization.quantize, tf.quantize_v2, tf.dequantize):
quantized values (returned as the underlying integers, as TF's Session.run does),
adjusted ranges and dequantized floats bit-equal to TF in every mode, round mode,
narrow_range, per-axis ranges and quantized type; TF's errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
rng = np.random.RandomState(11)
x = (rng.randn(4, 6) * 3).astype(np.float32)
x[0] = [-10.0, 10.0, 0.0, -1.5, 2.5, 0.5]
fetch, desc = [], []
ranges = [(-3.0, 5.0), (-1.0, 1.0), (0.0, 4.0), (-2.5, -2.5), (0.3, 0.7), (-7.0, 0.0)]
for T in (tf.qint8, tf.quint8, tf.qint16, tf.quint16, tf.qint32):
    for mode in ("MIN_COMBINED", "MIN_FIRST", "SCALED"):
        for rm in ("HALF_AWAY_FROM_ZERO", "HALF_TO_EVEN"):
            if rm == "HALF_TO_EVEN" and mode != "SCALED":
                continue
            for narrow in (False, True):
                for mn, mx in ranges:
                    q = tf.quantization.quantize(x, mn, mx, T, mode=mode, round_mode=rm,
                                                 narrow_range=narrow)
                    d = tf.quantization.dequantize(q.output, q.output_min, q.output_max,
                                                   mode=mode, narrow_range=narrow)
                    fetch.append([q.output, q.output_min, q.output_max, d])
                    desc.append([T.name, str(q.output.dtype), str(q.output.shape)])
# per axis, ensure_minimum_range, bfloat16 output, quantize_v2's argument order
mins, maxs = [-1.0, 0.0, -4.0, 2.0, -0.5, -3.0], [1.0, 3.0, 0.0, 6.0, 0.5, 3.0]
for T in (tf.qint8, tf.quint8, tf.qint32):
    for mode in ("MIN_COMBINED", "SCALED"):
        q = tf.quantize(x, mins, maxs, T, mode=mode, axis=1, narrow_range=True)
        d = tf.dequantize(q.output, q.output_min, q.output_max, mode=mode, axis=-1,
                          narrow_range=True)
        fetch.append([q.output, q.output_min, q.output_max, d])
        desc.append([str(t.shape) for t in (q.output_min, d)])
q = tf.quantize_v2(x, -0.001, 0.001, tf.quint8, "MIN_COMBINED", ensure_minimum_range=0.5)
fetch.append([q.output, q.output_min, q.output_max,
              tf.cast(tf.dequantize(q.output, q.output_min, q.output_max,
                                    dtype=tf.bfloat16), tf.float32)])
result = {"desc": desc, "ops": [n.op for n in tf.get_default_graph().as_graph_def().node
                                if n.op in ("QuantizeV2", "Dequantize")][:4],
          "attrs": sorted(tf.get_default_graph().get_operations()[-2].node_def.attr)}
def enc(v):
    v = np.asarray(v)
    return [v.dtype.name, v.view(np.uint32).tolist() if v.dtype == np.float32 else v.tolist()]
with tf.Session() as s:
    result["values"] = [[enc(v) for v in vs] for vs in s.run(fetch)]
"""

CONCAT = """
rng = np.random.RandomState(3)
fetch, shapes = [], []
for T, mode in ((tf.quint8, "MIN_FIRST"), (tf.quint8, "MIN_COMBINED"), (tf.qint32, "MIN_FIRST"),
                (tf.qint32, "SCALED")):
    qs = [tf.quantization.quantize((rng.randn(2, k, 3) * 4).astype(np.float32), mn, mx, T,
                                   mode=mode)
          for k, (mn, mx) in zip((1, 3, 2), ((-1.0, 2.0), (-6.0, 1.5), (-1.0, 2.0)))]
    for axis in (0, 1, 2):
        vals = qs if axis == 1 else [q.output[:, :1] for q in qs] and [
            tf.slice(q.output, [0, 0, 0], [2, 1, 3]) for q in qs]
        c = tf.quantization.quantized_concat(axis, [v if axis != 1 else v.output for v in vals],
                                             [q.output_min for q in qs],
                                             [q.output_max for q in qs])
        fetch.append(list(c))
        shapes.append([str(t.shape) for t in c] + [str(c.output.dtype)])
    same = tf.quantized_concat(1, [qs[0].output, qs[2].output], [qs[0].output_min] * 2,
                               [qs[0].output_max] * 2, name="same")
    fetch.append(list(same))
def enc(v):
    v = np.asarray(v)
    return [v.dtype.name, v.view(np.uint32).tolist() if v.dtype == np.float32 else v.tolist()]
result = {"shapes": shapes}
with tf.Session() as s:
    result["values"] = [[enc(v) for v in vs] for vs in s.run(fetch)]
"""

ERRORS = """
x = np.linspace(-3, 3, 6).astype(np.float32).reshape(2, 3)
def run(f):
    try:
        with tf.Graph().as_default():
            t = f()
            with tf.Session() as s:
                s.run(t)
        return "ok"
    except (tf.errors.OpError, ValueError) as e:
        if not isinstance(e, tf.errors.OpError):
            return "ValueError"
        return type(e).__name__ + ": " + [l for l in e.message.splitlines() if l][-2]
result = [
    run(lambda: tf.quantization.quantize(x, 1.0, -1.0, tf.qint8).output),
    run(lambda: tf.quantization.quantize(x, 1.0, -1.0, tf.quint8, mode="SCALED").output),
    run(lambda: tf.quantization.quantize(x, 1.0, -1.0, tf.quint8, mode="MIN_FIRST").output),
    run(lambda: tf.quantization.quantize(x, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], tf.qint8,
                                         mode="MIN_FIRST", axis=1).output),
    run(lambda: tf.quantization.quantize(x, 0.0, 1.0, tf.qint8, axis=1).output),
    run(lambda: tf.quantization.quantize(x, [0.0, 0.0], [1.0, 1.0], tf.qint8).output),
    run(lambda: tf.quantization.dequantize(
        tf.quantization.quantize(x, 0.0, 1.0, tf.qint8).output, [0.0, 0.0], [1.0, 1.0],
        axis=1)),
    run(lambda: tf.quantization.dequantize(
        tf.quantization.quantize(x, 0.0, 1.0, tf.qint8).output, [0.0] * 3, [1.0] * 3,
        axis=1, mode="MIN_FIRST")),
    run(lambda: tf.quantization.quantized_concat(
        0, [tf.quantization.quantize(x, 0.0, 1.0, tf.qint8).output] * 2, [0.0] * 2,
        [1.0] * 2).output),
    run(lambda: tf.quantization.quantized_concat(
        0, [tf.quantization.quantize(x, 0.0, 1.0, tf.quint8).output] * 2, [[0.0]] * 2,
        [1.0] * 2).output),
    run(lambda: tf.quantization.quantized_concat(
        tf.placeholder_with_default(5, []),
        [tf.quantization.quantize(x, 0.0, 1.0, tf.quint8).output] * 2, [0.0] * 2,
        [1.0] * 2).output),
]
"""


@pytest.mark.tf
@requires_tf
def test_quantize_dequantize_match_tf():
    here, theirs = run_both(PROGRAM)
    assert here["desc"] == theirs["desc"]
    assert here["ops"] == theirs["ops"]
    assert here["attrs"] == theirs["attrs"]
    assert len(here["values"]) == len(theirs["values"])
    for i, (a, b) in enumerate(zip(here["values"], theirs["values"])):
        assert a == b, (i, here["desc"][i])


@pytest.mark.tf
@requires_tf
def test_quantized_concat_matches_tf():
    here, theirs = run_both(CONCAT)
    assert here["shapes"] == theirs["shapes"]
    for i, (a, b) in enumerate(zip(here["values"], theirs["values"])):
        assert a == b, i


@pytest.mark.tf
@requires_tf
def test_quantize_errors_match_tf():
    here, theirs = run_both(ERRORS)
    assert here == theirs


def test_quantize_round_trip():
    import numpy as np

    import tfgraph as tf

    x = np.array([-1.0, 0.0, 0.5, 2.0], np.float32)
    with tf.Graph().as_default(), tf.Session() as s:
        q = tf.quantization.quantize(x, -1.0, 2.0, tf.quint8)
        out, lo, hi = s.run(q)
        d = s.run(tf.quantization.dequantize(q.output, q.output_min, q.output_max))
    assert q.output.dtype == tf.quint8 and out.dtype == np.uint8
    assert out.tolist() == [0, 85, 128, 255] and (lo, hi) == (-1.0, 2.0)
    assert np.allclose(d, x, atol=3 / 255)
    assert run_here(ERRORS)[0].startswith("InvalidArgumentError: input_max_range must be")


QUANTIZED_CONST = """
consts = [tf.constant(np.array([1, 2, 250], np.uint8), dtype=tf.quint8),
          tf.constant(np.array([7], np.int32), dtype=tf.qint32),
          tf.constant(np.array([[-3, 4]], np.int8), dtype=tf.qint8)]
gd = tf.get_default_graph().as_graph_def()
result = {"protos": [str(n.attr["value"].tensor) for n in gd.node]}
with tf.Graph().as_default():
    tf.import_graph_def(gd, name="")
    with tf.Session() as s:
        vals = s.run([c.name for c in consts])
result["values"] = [[v.dtype.name, v.tolist()] for v in vals]
"""


@pytest.mark.tf
@requires_tf
def test_quantized_constants_match_tf():
    here, theirs = run_both(QUANTIZED_CONST)
    assert here == theirs
