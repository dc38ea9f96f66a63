"""Stateless random ops against TF: the graphs (node names, op types, inputs), the static
shapes and dtypes, and the values (uniform floats and ints, full-range ints, categorical
bit for bit; normal and truncated normal within 2 ulp), for several seeds (int32 and
int64, negative and large), shapes (odd sizes and 0) and dtypes; errors as TF's."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = r"""
S64 = lambda: tf.constant([2**40 + 7, -5], tf.int64)
cases = {
    "u": lambda: tf.random.stateless_uniform([3], seed=[1, 2]),
    "u_odd": lambda: tf.random.stateless_uniform([5, 7], seed=[-3, 9], minval=-2.0, maxval=5.0),
    "u_big": lambda: tf.random.stateless_uniform([1001], seed=[123, 456]),
    "u_zero": lambda: tf.random.stateless_uniform([0, 3], seed=[1, 2]),
    "u_scalar": lambda: tf.random.stateless_uniform([], seed=[7, 7], name="scal"),
    "u64": lambda: tf.random.stateless_uniform([9], seed=S64(), dtype=tf.float64),
    "u16": lambda: tf.cast(tf.random.stateless_uniform([11], seed=[4, 5], dtype=tf.float16),
                           tf.float32),
    # (the raw draws: tfgraph has no bfloat16 arithmetic for the scaling ops yet)
    "ubf16": lambda: tf.cast(tf.random.stateless_uniform(
        [11], seed=[4, 5], dtype=tf.bfloat16).op.inputs[0].op.inputs[0], tf.float32),
    "u_tensor_shape": lambda: tf.random.stateless_uniform(tf.constant([2, 3], tf.int64), [0, 0]),
    "u_philox": lambda: tf.random.stateless_uniform([6], seed=[1, 2], alg="philox"),
    "u_philox_alg": lambda: tf.random.stateless_uniform(
        [6], seed=[1, 2], alg=tf.random.Algorithm.PHILOX),
    "i32": lambda: tf.random.stateless_uniform([101], seed=[1, 2], minval=0, maxval=17,
                                               dtype=tf.int32),
    "i32_neg": lambda: tf.random.stateless_uniform([13], seed=[5, -6], minval=-2**31,
                                                   maxval=2**31 - 1, dtype=tf.int32),
    "i64": lambda: tf.random.stateless_uniform([51], seed=S64(), minval=-5, maxval=2**40,
                                               dtype=tf.int64),
    "full_i32": lambda: tf.random.stateless_uniform([7], seed=[1, 2], minval=None,
                                                    maxval=None, dtype=tf.int32),
    "full_i64": lambda: tf.random.stateless_uniform([5], seed=[3, 4], minval=None,
                                                    maxval=None, dtype=tf.int64),
    "full_u32": lambda: tf.random.stateless_uniform([9], seed=[3, 4], minval=None,
                                                    maxval=None, dtype=tf.uint32),
    "full_u64": lambda: tf.random.stateless_uniform([3], seed=[3, 4], minval=None,
                                                    maxval=None, dtype=tf.uint64),
    "n": lambda: tf.random.stateless_normal([1001], seed=[1, 2], mean=1.5, stddev=0.3),
    "n64": lambda: tf.random.stateless_normal([9], seed=S64(), dtype=tf.float64),
    "n16": lambda: tf.cast(tf.random.stateless_normal([7], seed=[8, 9], dtype=tf.float16),
                           tf.float32),
    "t16": lambda: tf.cast(tf.random.stateless_truncated_normal(
        [9], seed=[8, 9], dtype=tf.float16), tf.float32),
    "nbf16": lambda: tf.cast(tf.random.stateless_normal(
        [7], seed=[8, 9], dtype=tf.bfloat16).op.inputs[0].op.inputs[0], tf.float32),
    "tbf16": lambda: tf.cast(tf.random.stateless_truncated_normal(
        [7], seed=[8, 9], dtype=tf.bfloat16).op.inputs[0].op.inputs[0], tf.float32),
    "t": lambda: tf.random.stateless_truncated_normal([997], seed=[11, 12], stddev=2.0),
    "t64": lambda: tf.random.stateless_truncated_normal([11], seed=[3, 1], dtype=tf.float64),
    "t_zero": lambda: tf.random.stateless_truncated_normal([0], seed=[3, 1]),
    "cat": lambda: tf.random.stateless_categorical(
        [[0.1, 2.0, -1.0, 0.5], [3.0, -np.inf, 0.0, 1.0], [0.0] * 4], 7, seed=[1, 2]),
    "cat32": lambda: tf.random.stateless_categorical(
        tf.constant([[0.5, 0.2, 0.3]], tf.float64), 9, seed=S64(), dtype=tf.int32),
    "multinomial": lambda: tf.random.stateless_multinomial(
        [[1.0, 2.0], [3.0, 0.0]], 5, seed=[4, 2], name="mn"),
    "cat_empty": lambda: tf.random.stateless_categorical(tf.zeros([0, 3]), 3, seed=[1, 2]),
    "g": lambda: tf.random.stateless_gamma([3], seed=[1, 2], alpha=1.0),
    "g2": lambda: tf.random.stateless_gamma([4, 2], seed=[3, 4], alpha=[0.5, 3.0], beta=2.0),
    "g64": lambda: tf.random.stateless_gamma(
        [5, 1, 3], seed=S64(), alpha=[[0.1, 1.0, 7.5]], dtype=tf.float64),
    "g16": lambda: tf.cast(tf.random.stateless_gamma(
        [6], seed=[5, 6], alpha=2.5, dtype=tf.float16), tf.float32),
    "p": lambda: tf.random.stateless_poisson([10], seed=[1, 2], lam=3.0),
    "p2": lambda: tf.random.stateless_poisson(
        [6, 4], seed=[3, 4], lam=[0.5, 9.99, 10.0, 150.0], dtype=tf.float32),
    "p64": lambda: tf.random.stateless_poisson(
        [5, 2], seed=S64(), lam=tf.constant([0.0, 1e4], tf.float64), dtype=tf.int64),
    "p_int_lam": lambda: tf.random.stateless_poisson([3, 1], seed=[5, 6], lam=[7],
                                                     dtype=tf.float64),
    "p_edges": lambda: tf.random.stateless_poisson(
        [3, 3], seed=[1, 2], lam=[-1.0, np.inf, 0.0], dtype=tf.float32),
    "p_edges_int": lambda: tf.random.stateless_poisson([3, 2], seed=[1, 2], lam=[np.inf, 0.0]),
    "p_many": lambda: tf.random.stateless_poisson([3000, 3], seed=[9, 2], lam=[0.3, 4.0, 9.5]),
    "b": lambda: tf.random.stateless_binomial([10], seed=[1, 2], counts=5.0, probs=0.5),
    "b2": lambda: tf.random.stateless_binomial(
        [6, 5], seed=[3, 4], counts=[10.0, 100.0, 1000.0, 7.0, 50.0],
        probs=[0.3, 0.05, 0.9, 0.99, 0.5], output_dtype=tf.float32),
    "b64": lambda: tf.random.stateless_binomial(
        [5, 2, 3], seed=S64(), counts=tf.constant([[20.0], [1e5]], tf.float64),
        probs=tf.constant([0.0, 1.0, 0.4], tf.float64), output_dtype=tf.int64),
    "b_int": lambda: tf.random.stateless_binomial([4, 2], seed=[5, 6], counts=[30, 3],
                                                  probs=[0.7, 0.2]),
    "b_neg": lambda: tf.random.stateless_binomial([4], seed=[5, 6], counts=-3.0, probs=0.7),
    "ptn": lambda: tf.random.stateless_parameterized_truncated_normal([10], seed=[1, 2]),
    "ptn_randn": lambda: tf.random.stateless_parameterized_truncated_normal(
        [7, 3], seed=[3, 4], means=[0.0, 1.0, -1.0], stddevs=[1.0, 2.0, 0.5],
        minvals=[-5.0, -np.inf, -3.0], maxvals=[5.0, 3.0, np.inf]),
    "ptn_uniform": lambda: tf.random.stateless_parameterized_truncated_normal(
        [9], seed=[5, 6], means=0.0, stddevs=1.0, minvals=0.2, maxvals=0.9),
    "ptn_exponential": lambda: tf.random.stateless_parameterized_truncated_normal(
        [9, 2], seed=[5, 6], minvals=[3.0, -np.inf], maxvals=[np.inf, -4.0]),
    "ptn16": lambda: tf.cast(tf.random.stateless_parameterized_truncated_normal(
        [8], seed=[1, 2], means=tf.constant(0.0, tf.float16),
        stddevs=tf.constant(1.0, tf.float16), minvals=tf.constant(-1.0, tf.float16),
        maxvals=tf.constant(0.5, tf.float16)), tf.float32),
    "ptn64": lambda: tf.random.stateless_parameterized_truncated_normal(
        [6, 2], seed=S64(), means=tf.constant([0.0, 2.0], tf.float64),
        stddevs=tf.constant(1.5, tf.float64), minvals=tf.constant([-1.0, 1.9], tf.float64),
        maxvals=tf.constant([10.0, 2.5], tf.float64)),
    "rng": lambda: tf.random.create_rng_state(5, "philox"),
    "rng2": lambda: tf.random.create_rng_state([1, 2**64 - 1], 2),
    "rng3": lambda: tf.random.create_rng_state(2**70 + 3, tf.random.Algorithm.AUTO_SELECT),
    "rng4": lambda: tf.random.create_rng_state([7], "philox"),
    "rng5": lambda: tf.random.experimental.create_rng_state(np.array([1, 2, 3, 4]), 1),
    "shuffle": lambda: tf.random.experimental.stateless_shuffle(tf.range(10), seed=[1, 2]),
    "shuffle2": lambda: tf.random.experimental.stateless_shuffle(
        np.arange(12.0).reshape(6, 2), seed=S64(), name="sh"),
    "shuffle_philox": lambda: tf.random.experimental.stateless_shuffle(
        tf.range(7), seed=[1, 2], alg="philox"),
    "index_shuffle": lambda: tf.random.experimental.index_shuffle(3, seed=[1, 2], max_index=10),
    "index_shuffle64": lambda: tf.random.experimental.index_shuffle(
        tf.range(20, dtype=tf.int64), seed=S64(), max_index=19),
    "index_shuffle_vec": lambda: tf.random.experimental.index_shuffle(
        [0, 1, 2, 70000], seed=[-1, 2], max_index=[5, 5, 2, 2**20]),
    "index_shuffle_big": lambda: tf.random.experimental.index_shuffle(
        tf.constant([5, 2**40], tf.int64), seed=[9, 9], max_index=tf.constant(2**50, tf.int64)),
    "split": lambda: tf.random.split([1, 2], 3),
    "split64": lambda: tf.random.experimental.stateless_split(S64()),
    "fold_in": lambda: tf.random.fold_in([1, 2], 3),
    "fold_in64": lambda: tf.random.experimental.stateless_fold_in(S64(), tf.constant(7, tf.int64)),
}
out = {}
for k, f in cases.items():
    with tf.Graph().as_default() as g:
        y = f()
        nodes = [[n.name, n.op, list(n.input)] for n in g.as_graph_def().node]
        with tf.Session() as sess:
            v = sess.run(y)
        out[k] = {"value": v.tolist(), "dtype": y.dtype.name, "shape": str(y.shape),
                  "nodes": nodes}
print(json.dumps(out))
"""

_EXACT = [
    *("u", "u_odd", "u_big", "u_zero", "u_scalar", "u64", "u16", "ubf16", "u_tensor_shape"),
    *("u_philox", "u_philox_alg", "i32", "i32_neg", "i64", "full_i32", "full_i64"),
    *("full_u32", "full_u64", "cat", "cat32", "multinomial", "cat_empty", "split"),
    *("split64", "fold_in", "fold_in64", "t_zero", "g", "g2", "g64", "g16"),
    *(
        "p",
        "p2",
        "p64",
        "p_int_lam",
        "p_edges",
        "p_edges_int",
        "p_many",
        "b",
        "b2",
        "b64",
        "b_int",
        "b_neg",
    ),
    *("ptn_uniform", "ptn_exponential", "ptn16"),
    *("rng", "rng2", "rng3", "rng4", "rng5", "shuffle", "shuffle2", "shuffle_philox"),
    *("index_shuffle", "index_shuffle64", "index_shuffle_vec", "index_shuffle_big"),
]
_CLOSE = (
    "n",
    "n64",
    "n16",
    "t16",
    "nbf16",
    "tbf16",
    "t",
    "t64",
    "ptn",
    "ptn_randn",
    "ptn64",
)  # (Box-Muller)


def _ours() -> dict:
    printed: list = []
    with tf.Graph().as_default():
        exec(PROGRAM, {"tf": tf, "np": np, "json": json, "print": printed.append})
    return json.loads(printed[-1])


@pytest.fixture(scope="module")
def both():
    return _ours(), run_tf_json(PROGRAM)


@pytest.mark.tf
@requires_tf
def test_graphs_shapes_dtypes_are_tfs(both):
    ours, theirs = both
    assert ours.keys() == theirs.keys()
    for key in ours:
        for field in ("nodes", "dtype", "shape"):
            assert ours[key][field] == theirs[key][field], (key, field)


@pytest.mark.tf
@requires_tf
def test_uniform_int_categorical_values_are_tfs_bit_for_bit(both):
    ours, theirs = both
    for key in _EXACT:
        assert ours[key]["value"] == theirs[key]["value"], key


@pytest.mark.tf
@requires_tf
def test_normal_values_within_2_ulp(both):
    ours, theirs = both
    for key in _CLOSE:
        a = np.asarray(ours[key]["value"], np.float64)
        b = np.asarray(theirs[key]["value"], np.float64)
        assert a.shape == b.shape, key
        dtype = np.float16 if "16" in key else (np.float64 if "64" in key else np.float32)
        ulp = np.spacing(np.abs(b).astype(dtype)).astype(np.float64)
        if "bf16" in key:  # (bfloat16: 8 bits of mantissa)
            ulp = np.spacing(np.abs(b).astype(np.float32)).astype(np.float64) * 2**16
        assert np.all(np.abs(a - b) <= 2 * ulp), key
        assert np.mean(a == b) > 0.9, key


def test_values_depend_only_on_the_seed():
    with tf.Graph().as_default():
        a = tf.random.stateless_normal([50], seed=[3, 4])
        b = tf.random.stateless_normal([50], seed=[3, 4])
        c = tf.random.stateless_normal([50], seed=[4, 3])
        with tf.Session() as s:
            va, vb, vc = s.run([a, b, c])
            va2 = s.run(a)
    np.testing.assert_array_equal(va, vb)
    np.testing.assert_array_equal(va, va2)
    assert not np.array_equal(va, vc)


ERRORS = r"""
if "raw" not in globals():  # (TF: its raw op functions; tfgraph passes its own `raw`)
    def raw(op_type, **kwargs):
        return getattr(tf.raw_ops, op_type)(**kwargs)

def attempt(f, feed=None):
    try:
        with tf.Graph().as_default() as g:
            y = f()
            with tf.Session() as s:
                s.run(y, feed_dict=feed(g) if feed else None)
        return ["ok"]
    except Exception as e:
        return [type(e).__name__, str(e)]

ph = lambda name, value: (lambda g: {g.get_tensor_by_name(name + ":0"): value})
cases = {
    "seed3": (lambda: tf.random.stateless_uniform([2], seed=[1, 2, 3]), None),
    "seed2d": (lambda: tf.random.stateless_uniform([2], seed=[[1, 2]]), None),
    "seed_fed": (lambda: tf.random.stateless_uniform(
        [2], seed=tf.placeholder(tf.int32, name="s")), ph("s", [1, 2, 3])),
    "minonly": (lambda: tf.random.stateless_uniform(
        [2], seed=[1, 2], maxval=None, minval=3, dtype=tf.int32), None),
    "nomax": (lambda: tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int64), None),
    "unsigned_min": (lambda: tf.random.stateless_uniform(
        [2], seed=[1, 2], minval=0, maxval=3, dtype=tf.uint32), None),
    "min_ge_max": (lambda: tf.random.stateless_uniform(
        [2], seed=[1, 2], minval=5, maxval=5, dtype=tf.int32), None),
    "min_ge_max_empty": (lambda: tf.random.stateless_uniform(
        [0], seed=[1, 2], minval=5, maxval=5, dtype=tf.int32), None),
    "min_vector": (lambda: tf.random.stateless_uniform(
        [2], seed=[1, 2], minval=[0, 1], maxval=5, dtype=tf.int32), None),
    "bad_dtype": (lambda: tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int8), None),
    "neg_shape": (lambda: tf.random.stateless_uniform(
        tf.placeholder(tf.int32, name="s"), seed=[1, 2]), ph("s", [-1, 2])),
    "bad_alg": (lambda: tf.random.stateless_uniform([2], seed=[1, 2], alg="foo"), None),
    "threefry": (lambda: tf.random.stateless_uniform([2], seed=[1, 2], alg="threefry"), None),
    "cat_dtype": (lambda: tf.random.stateless_categorical(
        [[1.0, 2.0]], 3, seed=[1, 2], dtype=tf.float32), None),
    "cat_seed3": (lambda: tf.random.stateless_categorical([[1.0, 2.0]], 3, seed=[1, 2, 3]),
                  None),
    "cat_rank1": (lambda: tf.random.stateless_categorical([1.0, 2.0], 3, seed=[1, 2]), None),
    "cat_neg": (lambda: tf.random.stateless_categorical(
        [[1.0, 2.0]], tf.placeholder(tf.int32, name="s"), seed=[1, 2]), ph("s", -1)),
    "cat_no_classes": (lambda: tf.random.stateless_categorical(
        tf.zeros([2, 0]), 3, seed=[1, 2]), None),
    "gamma_shape": (lambda: tf.random.stateless_gamma([3, 2], seed=[5, 6], alpha=[1.0, 2, 3]),
                    None),
    "poisson_shape": (lambda: tf.random.stateless_poisson([2, 3], seed=[5, 6], lam=[1.0, 2]),
                      None),
    "poisson_seed": (lambda: tf.random.stateless_poisson(
        [2], seed=tf.placeholder(tf.int32, name="s"), lam=1.0), ph("s", [1])),
    "binomial_shape": (lambda: tf.random.stateless_binomial(
        [2, 3], seed=[5, 6], counts=[1.0, 2], probs=0.5), None),
    "binomial_bcast": (lambda: tf.random.stateless_binomial(
        [2, 3], seed=[5, 6], counts=[1.0, 2], probs=[0.5, 0.2, 0.1]), None),
    "ptn_invalid": (lambda: tf.random.stateless_parameterized_truncated_normal(
        [2], seed=[5, 6], stddevs=0.0), None),
    "ptn_shape": (lambda: tf.random.stateless_parameterized_truncated_normal(
        [2], seed=[5, 6], means=[1.0, 2, 3]), None),
    "index_shuffle_max": (lambda: tf.random.experimental.index_shuffle(
        [0, 3], seed=[1, 2], max_index=[5, 2]), None),
    "index_shuffle_seed": (lambda: tf.random.experimental.index_shuffle(
        1, seed=[[1, 2]], max_index=5), None),
    "raw_key": (lambda: raw(
        "StatelessRandomUniformV2", shape=[2], key=tf.placeholder(tf.uint64, name="k"),
        counter=tf.constant([1, 2], tf.uint64), alg=1), ph("k", np.array([1, 2], np.uint64))),
    "raw_alg4": (lambda: raw(
        "StatelessRandomUniformV2", shape=[2], key=tf.constant([1], tf.uint64),
        counter=tf.constant([1, 2], tf.uint64), alg=tf.placeholder(tf.int32, name="a")),
        ph("a", 4)),
    "raw_alg0": (lambda: raw(
        "StatelessRandomUniformV2", shape=[2], key=tf.constant([1], tf.uint64),
        counter=tf.constant([1, 2], tf.uint64), alg=tf.placeholder(tf.int32, name="a")),
        ph("a", 0)),
    "gamma_dtype": (lambda: tf.random.stateless_gamma([2], seed=[5, 6], alpha=1.0,
                                                      dtype=tf.int32), None),
}
print(json.dumps({k: attempt(*v) for k, v in cases.items()}))
"""

_PHRASES = {
    "seed3": "Dimension must be 2 but is 3",
    "seed2d": "Shape must be rank 1 but is rank 2",
    "seed_fed": "seed must have shape [2], not [3]",
    "minonly": "must be both None or not None",
    "nomax": "must be both None or not None",
    "unsigned_min": "Please don't use unsigned integers in this case",
    "min_ge_max": "Need minval < maxval, got 5 >= 5",
    "min_vector": "minval must be a scalar; got a tensor of shape [2]",
    "bad_dtype": "Argument `dtype` got invalid value",
    "neg_shape": "Dimension -1 must be >= 0",
    "bad_alg": "Argument `alg` got unsupported value foo",
    "threefry": "counter must be a vector with length at least 2; got shape: [1]",
    "cat_dtype": "Accepted dtypes are (tf.int32, tf.int64)",
    "cat_seed3": "Dimension must be 2 but is 3",
    "cat_rank1": "Shape must be rank 2 but is rank 1",
    "cat_neg": "num_samples should be non-negative, got -1",
    "cat_no_classes": "num_classes should be positive, got 0",
    "gamma_shape": "Shape passed in must end with broadcasted shape.",
    "poisson_shape": "Shape passed in must end with broadcasted shape.",
    "poisson_seed": "seed must have shape [2], not [1]",
    "binomial_shape": "Shape passed in must end with broadcasted shape.",
    "binomial_bcast": "counts and probs must have compatible batch dimensions: [2] vs. [3]",
    "ptn_invalid": "Invalid parameters",
    "ptn_shape": "Shape passed in must end with broadcasted shape.",
    "index_shuffle_max": "max_index must be >= index, but 2 < 3",
    "index_shuffle_seed": "Seed must have shape [3] or [n, 3] but got [2, 2]",
    "raw_key": "key must have shape [1], not [2]. (Note that batched keys are not supported",
    "raw_alg4": "counter must be a vector with length at least 4; got shape: [2]",
    "raw_alg0": "Unsupported algorithm id: 0",
    "gamma_dtype": "Expected int32, but got 1.0 of type 'float'.",
}


def _raw(op_type, **kwargs):
    """tfgraph's stand-in for `tf.raw_ops.<op_type>(**kwargs)`."""
    from tfgraph.framework import registry
    from tfgraph.ops.apply import op_output

    inputs = [kwargs.pop(a.name) for a in registry.get(op_type).inputs]
    return op_output(op_type, None, inputs, kwargs)


@pytest.mark.tf
@requires_tf
def test_errors_are_tfs():
    printed: list = []
    scope = {"tf": tf, "np": np, "json": json, "print": printed.append, "raw": _raw}
    exec(ERRORS, scope)
    ours, theirs = json.loads(printed[-1]), run_tf_json(ERRORS)
    for key, (ours_kind, *ours_msg) in ours.items():
        assert ours_kind == theirs[key][0], (key, ours_msg, theirs[key])
        if key in _PHRASES:
            assert _PHRASES[key] in theirs[key][1], (key, theirs[key][1])
            assert _PHRASES[key] in ours_msg[0], (key, ours_msg)


GAMMA_GRAD = r"""
with tf.Graph().as_default() as g:
    a = tf.constant([0.5, 3.0])
    y = tf.random.stateless_gamma([4, 2], seed=[3, 4], alpha=a)
    a64 = tf.constant([[1.5]], tf.float64)
    y64 = tf.random.stateless_gamma([3, 1, 1], seed=[7, 4], alpha=a64, beta=2.0, dtype=tf.float64)
    grads = tf.gradients(y * y, a) + tf.gradients(y64, a64)
    with tf.Session() as s:
        print(json.dumps([v.tolist() for v in s.run(grads)]))
"""


@pytest.mark.tf
@requires_tf
def test_gamma_gradient_wrt_alpha_is_tfs():
    printed: list = []
    exec(GAMMA_GRAD, {"tf": tf, "np": np, "json": json, "print": printed.append})
    ours, theirs = json.loads(printed[-1]), run_tf_json(GAMMA_GRAD)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=2e-6)  # (TF: in float32)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)


PTN_GRAD = r"""
P = tf.random.stateless_parameterized_truncated_normal
with tf.Graph().as_default() as g:
    m, sd = tf.constant([0.0, 1.0, -1.0]), tf.constant([1.0, 2.0, 0.5])
    lo, hi = tf.constant(-1.5), tf.constant([[2.0], [3.0]])
    y = P([4, 2, 3], seed=[3, 4], means=m, stddevs=sd, minvals=lo, maxvals=hi)
    m64 = tf.constant(0.5, tf.float64)
    y64 = P([5], seed=[1, 9], means=m64, stddevs=tf.constant(1.0, tf.float64),
            minvals=tf.constant(-1.0, tf.float64), maxvals=tf.constant(2.0, tf.float64))
    grads = tf.gradients(y * y, [m, sd, lo, hi]) + tf.gradients(y64 * y64, m64)
    with tf.Session() as s:
        print(json.dumps([np.asarray(v).tolist() for v in s.run(grads)]))
"""


@pytest.mark.tf
@requires_tf
def test_parameterized_truncated_normal_gradients_are_tfs():
    printed: list = []
    exec(PTN_GRAD, {"tf": tf, "np": np, "json": json, "print": printed.append})
    ours, theirs = json.loads(printed[-1]), run_tf_json(PTN_GRAD)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5)


RAW = r"""
import base64
R = tf.raw_ops
with tf.Graph().as_default() as g:
    s32, s64 = tf.constant([3, -4]), tf.constant([2**35, 9], tf.int64)
    kca = R.StatelessRandomGetKeyCounterAlg(seed=s64)
    outs = {
        "uniform": R.StatelessRandomUniform(shape=[5], seed=s32),
        "uniform64": R.StatelessRandomUniform(shape=[3], seed=s64, dtype=tf.float64),
        "normal": R.StatelessRandomNormal(shape=[6], seed=s32),
        "truncated": R.StatelessTruncatedNormal(shape=[6], seed=s64),
        "int": R.StatelessRandomUniformInt(shape=[7], seed=s32, minval=-3, maxval=40),
        "full": R.StatelessRandomUniformFullInt(shape=[4], seed=s64, dtype=tf.int64),
        "gamma2": R.StatelessRandomGammaV2(shape=[3, 2], seed=s32, alpha=[0.7, 4.0]),
        "key_counter": R.StatelessRandomGetKeyCounter(seed=s64)[1],
        "key_counter_alg": R.StatelessRandomGetKeyCounterAlg(seed=s32)[0],
        "alg": R.StatelessRandomGetAlg(),
        "uniform_v2": R.StatelessRandomUniformV2(
            shape=[5], key=kca[0], counter=kca[1], alg=kca[2], dtype=tf.float64),
    }
    with tf.Session() as sess:
        values = sess.run(outs)
print(json.dumps({
    "graph": base64.b64encode(g.as_graph_def().SerializeToString()).decode(),
    "names": {k: v.name for k, v in outs.items()},
    "values": {k: v.tolist() for k, v in values.items()},
}))
"""


@pytest.mark.tf
@requires_tf
def test_seed_taking_v1_ops_in_a_tf_graph_def_draw_tfs_values():
    import base64

    theirs = run_tf_json(RAW)
    gd = tf.GraphDef.FromString(base64.b64decode(theirs["graph"]))
    with tf.Graph().as_default() as g:
        tf.import_graph_def(gd, name="")
        fetches = {k: g.get_tensor_by_name(n) for k, n in theirs["names"].items()}
        with tf.Session() as sess:
            ours = sess.run(fetches)
    for key, value in theirs["values"].items():
        if key in ("normal", "truncated"):
            np.testing.assert_allclose(ours[key], value, rtol=3e-7, atol=5e-7)
        else:
            assert ours[key].tolist() == value, key


STATEFUL_POISSON = r"""
with tf.Graph().as_default():
    tf.set_random_seed(5)
    ys = [
        tf.random_poisson([1.5, 3.0, 12.0, -1.0], [4, 2], seed=3),
        tf.random.poisson(tf.constant([[2.0]], tf.float64), [3], dtype=tf.int32),
        tf.random_poisson([0.5, 20.0], [50]),
    ]
    with tf.Session() as s:
        print(json.dumps([v.tolist() for v in s.run(ys) + s.run(ys)]))
"""


@pytest.mark.tf
@requires_tf
def test_stateful_random_poisson_draws_tfs_values_run_after_run():
    printed: list = []
    exec(STATEFUL_POISSON, {"tf": tf, "np": np, "json": json, "print": printed.append})
    assert json.loads(printed[-1]) == run_tf_json(STATEFUL_POISSON)


BIG_CATEGORICAL = r"""
out = {}
for b, n, c in ((8, 1000, 2), (16, 200, 30), (64, 100, 2), (3, 2000, 7), (64, 1000, 4)):
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [b, c])
        y = tf.random.stateless_categorical(p, n, seed=[4, 2])
        m = tf.multinomial(p, n, seed=3)
        logits = np.sin(np.arange(b * c, dtype=np.float32).reshape(b, c))
        with tf.Session() as s:
            out["%d_%d_%d" % (b, n, c)] = [v.tolist() for v in s.run([y, m], {p: logits})]
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_large_categorical_draws_split_across_threads_as_tfs():
    """Rows split into the pieces TF's CPU thread pool runs (each piece's draws skipped
    ahead as TF's kernel does); the stateful Multinomial shares the kernel."""
    printed: list = []
    exec(BIG_CATEGORICAL, {"tf": tf, "np": np, "json": json, "print": printed.append})
    ours, theirs = json.loads(printed[-1]), run_tf_json(BIG_CATEGORICAL)
    for key in theirs:
        assert ours[key] == theirs[key], key


BIG_PTN = r"""
out = {}
P = tf.random.stateless_parameterized_truncated_normal
for dt, shape in ((tf.float32, [2000]), (tf.float64, [900]), (tf.float16, [1000]),
                  (tf.float32, [700, 3])):
    with tf.Graph().as_default():
        m = tf.placeholder(dt, [])  # (fed: TF runs the op in its session, not folded)
        lo = tf.constant([-2.0, 0.2, 3.0], dt) if len(shape) == 2 else tf.constant(-2.0, dt)
        hi = tf.constant([2.0, 0.9, np.inf], dt) if len(shape) == 2 else tf.constant(2.0, dt)
        y = P(shape, seed=[1, 2], means=m, stddevs=tf.constant(1.0, dt), minvals=lo, maxvals=hi)
        with tf.Session() as s:
            out[dt.name + str(shape)] = s.run(y, {m: 0.0}).astype(np.float64).tolist()
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_large_parameterized_truncated_normal_splits_work_as_tf():
    printed: list = []
    exec(BIG_PTN, {"tf": tf, "np": np, "json": json, "print": printed.append})
    ours, theirs = json.loads(printed[-1]), run_tf_json(BIG_PTN)
    for key in theirs:
        rtol = 1e-3 if "float16" in key else 1e-6
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol, err_msg=key)


_RAW_INDEX_SHUFFLE = """
import json
out = []
for dtype in (tf.int32, tf.int64):
    index = tf.constant([0, 3, 7, 9], dtype)
    for seed in ([1, 2, 3], [-5, 0, 2**40]):
        y = tf.random_index_shuffle(index, tf.constant(seed, tf.int64), tf.constant(9, dtype),
                                    rounds=6, name="shuf")
        with tf.Session() as sess:
            out.append([y.op.name, y.op.type, sess.run(y).tolist()])
print(json.dumps(out))
"""


@pytest.mark.tf
@requires_tf
def test_raw_random_index_shuffle_matches_tf():
    """Top-level `tf.random_index_shuffle`: TF's raw op (a shape-[3] seed, `rounds`)."""
    env: dict = {"tf": tf}
    with tf.Graph().as_default():
        import contextlib
        import io

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(_RAW_INDEX_SHUFFLE, env)
    ours = json.loads(printed.getvalue().splitlines()[-1])
    assert ours == run_tf_json(_RAW_INDEX_SHUFFLE)
    assert {v for row in ours for v in row[2]} <= set(range(10))
