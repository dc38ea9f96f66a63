"""DenseBincount, SparseBincount, RaggedBincount, the *CountSparseOutput ops and the
public `tf.math.bincount` / `tf.sparse.bincount` over dense, sparse and ragged inputs,
against TF 2.21: values, static shapes and errors."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
import json
if hasattr(tf, "raw_ops"):
    from tensorflow.python.ops import gen_math_ops as m, gen_count_ops as c
else:
    from tfgraph.ops.apply import apply_op
    class _Raw:
        def __getattr__(self, name):
            op_type = "".join(p.capitalize() for p in name.split("_"))
            op_type = op_type.replace("Bincount", "Bincount")
            def call(*args, **attrs):
                outs = apply_op(op_type, None, list(args), attrs)._outputs
                return outs[0] if len(outs) == 1 else outs
            return call
    m = c = _Raw()
x2 = np.array([[1, 2, 2, 7], [0, 0, 5, 1]], np.int32)
w2 = np.array([[1., 2, 3, 4], [5, 6, 7, 8]], np.float32)
sp = tf.SparseTensor([[0, 1], [0, 3], [1, 0], [1, 2], [2, 2]],
                     np.array([3, 1, 3, 0, 9], np.int64), [3, 4])
spw = np.array([.5, 1, 2, 3, 4], np.float64)
rt = tf.RaggedTensor.from_row_splits(np.array([1, 1, 4, 2, 0, 2], np.int32), [0, 3, 3, 6])
E32, E64, EF = np.array([], np.int32), np.array([], np.int64), np.array([], np.float32)
rs, rv, ix, vs, ds = rt.row_splits, rt.values, sp.indices, sp.values, sp.dense_shape
cases = {
 "dense2d": m.dense_bincount(x2, 6, np.array([], np.float32)),
 "dense2d_w": m.dense_bincount(x2, 6, w2),
 "dense2d_bin": m.dense_bincount(x2, 6, E32, binary_output=True),
 "dense1d_bin_w": m.dense_bincount(x2[0], 3, w2[0], binary_output=True),
 "sparse": m.sparse_bincount(sp.indices, sp.values, sp.dense_shape, np.int64(5), E32),
 "sparse_w": m.sparse_bincount(sp.indices, sp.values, sp.dense_shape, np.int64(10), spw),
 "sparse_bin": m.sparse_bincount(sp.indices, sp.values, sp.dense_shape, np.int64(4),
                                 np.array([], np.float32), binary_output=True),
 "sparse1d": m.sparse_bincount(np.array([[0], [2], [3]], np.int64), np.array([1, 1, 2], np.int32),
                               np.array([5], np.int64), 4, np.array([], np.float32)),
 "ragged": m.ragged_bincount(rt.row_splits, rt.values, 5, E64),
 "ragged_w": m.ragged_bincount(rs, rv, 3, np.array([1, 2, 3, 4, 5, 6], np.float64)),
 "ragged_bin": m.ragged_bincount(rt.row_splits, rt.values, 5, E32, binary_output=True),
 "dcso": c.dense_count_sparse_output(x2, E32, binary_output=False),
 "dcso_w": c.dense_count_sparse_output(x2, w2, binary_output=False, minlength=9),
 "dcso_1d": c.dense_count_sparse_output(x2[1], EF, binary_output=True, maxlength=3),
 "dcso_empty": c.dense_count_sparse_output(np.zeros([0], np.int32), E32, binary_output=False),
 "dcso_empty_min": c.dense_count_sparse_output(np.zeros([2, 0], np.int32), E32,
                                               binary_output=False, minlength=3),
 "scso": c.sparse_count_sparse_output(ix, vs, ds, E64, binary_output=False),
 "scso_w": c.sparse_count_sparse_output(ix, vs, ds, spw, binary_output=False, maxlength=4),
 "rcso": c.ragged_count_sparse_output(rt.row_splits, rt.values, E32, binary_output=False),
 "rcso_bin": c.ragged_count_sparse_output(rs, rv, EF, binary_output=True, minlength=6),
 "math_dense": tf.math.bincount(x2, minlength=9),
 "math_dense_w": tf.math.bincount(x2, weights=w2, maxlength=4, dtype=tf.float32),
 "math_sparse": tf.math.bincount(sp),
 "math_ragged": tf.math.bincount(rt, minlength=6),
 "sp_bc": tf.sparse.bincount(x2),
 "sp_bc_axis": tf.sparse.bincount(x2, axis=-1, binary_output=True),
 "sp_bc_w": tf.sparse.bincount(x2, weights=w2, axis=-1, maxlength=3),
 "sp_bc_sp": tf.sparse.bincount(sp, axis=-1),
 "sp_bc_sp0": tf.sparse.bincount(sp, minlength=12),
 "sp_bc_rt": tf.sparse.bincount(rt, axis=-1, minlength=3),
 "sp_bc_rt0": tf.sparse.bincount(rt),
}
def flat(v):
    if hasattr(v, "dense_shape"):
        return [v.indices.tolist(), v.values.tolist(), v.dense_shape.tolist()]
    if isinstance(v, (list, tuple)):
        return [flat(a) for a in v]
    return [v.tolist(), v.dtype.name]
def static(t):
    if isinstance(t, (list, tuple)) or not hasattr(t, "shape"):
        return None
    return None if t.shape.ndims is None else t.shape.as_list()
out = {}
with tf.Session() as sess:
    for k, t in cases.items():
        out[k] = [flat(sess.run(t)), static(t)]
print(json.dumps(out))
"""

ERRORS = """
import json
if hasattr(tf, "raw_ops"):
    from tensorflow.python.ops import gen_math_ops as m, gen_count_ops as c
else:
    from tfgraph.ops.apply import op_output, apply_op
    class _M:
        def dense_bincount(self, *a, **k): return op_output("DenseBincount", None, list(a), k)
        def sparse_bincount(self, *a, **k): return op_output("SparseBincount", None, list(a), k)
        def ragged_bincount(self, *a, **k): return op_output("RaggedBincount", None, list(a), k)
        def dense_count_sparse_output(self, *a, **k):
            return apply_op("DenseCountSparseOutput", None, list(a), k)._outputs
    m = c = _M()
E = np.array([], np.float32)
S2, S3 = np.array([0, 2], np.int64), np.array([0, 3], np.int64)
cases = {
 "neg": lambda: m.dense_bincount(np.array([1, -1], np.int32), 3, E),
 "wshape": lambda: m.dense_bincount(np.array([1, 1], np.int32), 3, np.ones(3, np.float32)),
 "sp_neg": lambda: m.sparse_bincount(np.array([[0], [1]], np.int64), np.array([1, -2], np.int32),
                                     np.array([3], np.int64), 4, E),
 "rg_neg": lambda: m.ragged_bincount(S2, np.array([1, -2], np.int32), 4, E),
 "rg_splits": lambda: m.ragged_bincount(S3, np.array([1, 2], np.int32), 4, E),
 "dcso_neg": lambda: c.dense_count_sparse_output(np.array([1, -1], np.int32), E,
                                                 binary_output=False),
 "negsize": lambda: m.dense_bincount(np.array([1, 1], np.int32), -3, E),
 "rank3": lambda: m.dense_bincount(np.zeros([1, 1, 1], np.int32), 3, E),
 "axis": lambda: tf.sparse.bincount(np.array([1]), axis=1),
 "excl": lambda: tf.sparse.bincount(np.array([1]), weights=np.array([1.0]), binary_output=True),
}
out = {}
with tf.Session() as sess:
    for k, f in cases.items():
        try:
            sess.run(f())
            out[k] = None
        except ValueError as e:
            out[k] = ["ValueError", str(e)]
        except tf.errors.OpError as e:
            out[k] = [type(e).__name__, e.message]
print(json.dumps(out))
"""


def _ours(program: str) -> dict:
    printed = io.StringIO()
    with tf.Graph().as_default(), contextlib.redirect_stdout(printed):
        exec(program, {"tf": tf, "np": np})
    return json.loads(printed.getvalue().strip().splitlines()[-1])


@pytest.mark.tf
@requires_tf
def test_counts_and_shapes_are_tfs():
    ours, theirs = _ours(PROGRAM), run_tf_json(PROGRAM)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key


@pytest.mark.tf
@requires_tf
def test_errors_are_tfs():
    ours, theirs = _ours(ERRORS), run_tf_json(ERRORS)
    for key in theirs:
        assert ours[key] is not None and theirs[key] is not None, key
        assert ours[key][0] == theirs[key][0], key
        first = ours[key][1].split("\\n")[0].split(" for '")[0]
        assert first in theirs[key][1], key


def test_bincount_ops_have_no_gradient():
    w = tf.constant([1.0, 2.0])
    y = tf.math.bincount(tf.constant([1, 2]), weights=w, dtype=tf.float32)
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(y, w)
