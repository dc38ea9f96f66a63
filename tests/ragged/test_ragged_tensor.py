"""tf.RaggedTensor construction, conversion, validation, feeding and fetching: values,
static shapes, graphs (op names and types) and errors against TF."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tests.ragged import harness
from tests.tfrun import requires_tf

CASES = r"""
R = tf.RaggedTensor
C = tf.ragged.constant
cases = {
  "from_row_splits": lambda: R.from_row_splits([1, 2, 3, 4], [0, 1, 4]),
  "from_row_splits_novalid": lambda: R.from_row_splits([1, 2, 3, 4], [0, 1, 4], validate=False),
  "from_row_lengths": lambda: R.from_row_lengths([1., 2, 3, 4], [1, 0, 3]),
  "from_value_rowids": lambda: R.from_value_rowids([1, 2, 3, 4], [0, 2, 2, 2], nrows=4),
  "from_value_rowids_nonrows": lambda: R.from_value_rowids([1, 2, 3, 4], [0, 2, 2, 2]),
  "from_row_starts": lambda: R.from_row_starts([1, 2, 3, 4], [0, 1, 1]),
  "from_row_limits": lambda: R.from_row_limits([1, 2, 3, 4], [1, 1, 4]),
  "from_nested_row_splits": lambda: R.from_nested_row_splits(
      [1, 2, 3, 4, 5], [[0, 2, 3], [0, 1, 3, 5]]),
  "from_nested_row_lengths": lambda: R.from_nested_row_lengths(
      [1, 2, 3, 4, 5], [[2, 1], [1, 2, 2]]),
  "from_nested_value_rowids": lambda: R.from_nested_value_rowids(
      [1, 2, 3, 4], [[0, 0, 1], [0, 1, 1, 2]]),
  "from_uniform_row_length": lambda: R.from_uniform_row_length([1, 2, 3, 4, 5, 6], 2),
  "from_tensor": lambda: R.from_tensor([[1, 2, 0], [3, 0, 0]]),
  "from_tensor_lengths": lambda: R.from_tensor([[1, 2, 0], [3, 0, 0]], lengths=[2, 1]),
  "from_tensor_padding": lambda: R.from_tensor([[1, 2, 0], [3, 0, 0]], padding=0),
  "from_tensor_rr2": lambda: R.from_tensor(np.arange(12).reshape(2, 3, 2), ragged_rank=2),
  "from_sparse": lambda: R.from_sparse(
      tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [1, 2, 3], [3, 4])),
  "constant": lambda: C([[1, 2], [3]]),
  "constant_rr2": lambda: C([[[1, 2], [3]], [[4]]]),
  "constant_inner": lambda: C([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1),
  "constant_float": lambda: C([[1.5], [], [2.5, 3]], dtype=tf.float64),
  "constant_int32splits": lambda: C([[1], [2, 3]], row_splits_dtype=tf.int32),
  "constant_bad": lambda: C([[1, [2]], [3]]),
  "to_tensor": lambda: C([[1, 2], [3]]).to_tensor(),
  "to_tensor_default": lambda: C([[1., 2], [], [3]]).to_tensor(default_value=-1.),
  "to_tensor_shape": lambda: C([[1, 2, 3], [4]]).to_tensor(shape=[3, 2]),
  "to_tensor_rr2": lambda: C([[[1, 2], [3]], [[4]]]).to_tensor(),
  "to_tensor_inner": lambda: C([[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1).to_tensor(),
  "to_tensor_rowids": lambda: R.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=4).to_tensor(),
  "to_sparse": lambda: C([[1, 2], [], [3]]).to_sparse(),
  "to_sparse_rr2": lambda: C([[[1, 2], [3]], [[4]]]).to_sparse(),
  "props": lambda: (lambda r: [r.values, r.row_splits, r.flat_values, r.row_lengths(),
                               r.value_rowids(), r.nrows(), r.row_starts(), r.row_limits(),
                               r.bounding_shape()])(C([[1, 2], [], [3]])),
  "props_rr2": lambda: (lambda r: [*r.nested_row_splits, *r.nested_row_lengths(),
                                   r.bounding_shape(), r.row_lengths(axis=2)])(
      C([[[1, 2], [3]], [[4]]])),
  "nested_value_rowids": lambda: list(C([[[1, 2], [3]], [[4]]]).nested_value_rowids()),
  "nrows_out_type": lambda: C([[1], [2, 3]]).nrows(out_type=tf.int32),
  "bounding_axis": lambda: [C([[1], [2, 3]]).bounding_shape(0),
                            C([[1], [2, 3]]).bounding_shape(1),
                            C([[1], [2, 3]]).bounding_shape(out_type=tf.int32)],
  "with_values": lambda: C([[1, 2], [3]]).with_values(tf.constant([5., 6., 7.])),
  "with_flat_values": lambda: C([[[1, 2], [3]], [[4]]]).with_flat_values(
      tf.constant([5, 6, 7, 8]) * 2),
  "with_row_splits_dtype": lambda: C([[1, 2], [3]]).with_row_splits_dtype(tf.int32),
  "merge_dims": lambda: C([[[1, 2], [3]], [[4]]]).merge_dims(0, 1),
  "fetch_mixed": lambda: [C([[1], [2, 3]]), tf.constant(4)],
}
"""

ERRORS = r"""
R = tf.RaggedTensor
def _bad(factory, fed):
    def build():
        s = tf.placeholder(tf.int64, [None])
        return [factory(tf.constant([1, 2, 3]), s), {s: np.array(fed)}]
    return build
cases = {
  "ok_fed_splits": _bad(R.from_row_splits, [0, 2, 3]),
  "bad_monotonic": _bad(R.from_row_splits, [0, 2, 1, 3]),
  "bad_zero": _bad(R.from_row_splits, [1, 3]),
  "bad_nvals": _bad(R.from_row_splits, [0, 2]),
  "bad_lengths": _bad(R.from_row_lengths, [4, -1]),
  "bad_rowids": _bad(R.from_value_rowids, [0, 2, 1]),
  "bad_starts": _bad(lambda v, s: R.from_row_starts(v, s), [1, 2]),
  "bad_limits": _bad(R.from_row_limits, [2, 1, 3]),
  "static_bad_rowids": lambda: R.from_value_rowids([1, 2], [0, 3], nrows=2),
  "empty_splits": lambda: R.from_row_splits([1, 2], []),
  "validate_type": lambda: R.from_row_splits([1, 2], [0, 2], validate=1),
  "private_ctor": lambda: R([1, 2], None),
  "from_tensor_rank1": lambda: R.from_tensor([1, 2]),
  "from_tensor_both": lambda: R.from_tensor([[1, 2]], lengths=[1], padding=0),
  "to_list_in_graph": lambda: tf.ragged.constant([[1]]).to_list(),
  "numpy_in_graph": lambda: tf.ragged.constant([[1]]).numpy(),
  "to_tensor_of_tensor": lambda: tf.convert_to_tensor(tf.ragged.constant([[1], [2]])),
}
"""

FEEDS = r"""
def _ph():
    p = tf.ragged.placeholder(tf.float32, 1, [])
    return [p * 2., tf.reduce_sum(p, axis=1), p.to_tensor(),
            {p: tf.ragged.constant_value([[1.], [2., 3.]])}]
def _ph2():
    p = tf.ragged.placeholder(tf.int32, 2, [2], name="pp")
    value = tf.ragged.constant_value([[[[1, 2]], []], [[[3, 4], [5, 6]]]], ragged_rank=2)
    return [p, p.row_lengths(), p.flat_values, {p: value}]
def _grad():
    v = tf.constant([1., 2., 3.])
    d = tf.RaggedTensor.from_row_splits(v, [0, 2, 3], validate=False).to_tensor(5.)
    return tf.gradients(tf.reduce_sum(d * d), v)
def _grad_sparse():
    v = tf.constant([1., 2., 3.])
    st = tf.RaggedTensor.from_row_splits(v, [0, 2, 3], validate=False).to_sparse()
    return tf.gradients(tf.reduce_sum(st.values * 3.), v)
def _grad_reduce():
    v = tf.constant([1., 2., 3.])
    r = tf.RaggedTensor.from_row_splits(v, [0, 2, 3], validate=False)
    return tf.gradients(tf.reduce_sum(tf.reduce_mean(r * r, axis=1)), v)
def _cond():
    r = tf.ragged.constant([[1, 2], [3]])
    p = tf.placeholder(tf.bool, [])
    return [tf.cond(p, lambda: r * 2, lambda: r), {p: True}]
def _cond_mixed():
    r = tf.ragged.constant([[[1.]], [[2.], [3.]]])
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: (r, tf.constant(1.)), lambda: (r * 0., tf.constant(2.)))
    return [y[0], y[1], {p: False}]
def _grad_of_ragged():
    r = tf.ragged.constant([[1., 2], [3]])
    return [*tf.gradients(tf.reduce_sum(r * r), r), *tf.gradients(r * r, r),
            *tf.gradients(r * 3., [r.flat_values])]
def _grad_ys_ragged():
    r = tf.ragged.constant([[1., 2], [3]])
    return tf.gradients(r * r, r, grad_ys=tf.ragged.constant([[1., 0.], [2.]]))
def _from_tensor_fed():
    p = tf.placeholder(tf.int32, [None, None])
    return [tf.RaggedTensor.from_tensor(p, padding=0),
            tf.RaggedTensor.from_tensor(p, lengths=[1, 2]), {p: np.array([[1, 0], [2, 3]])}]
def _to_tensor_fed():
    p = tf.ragged.placeholder(tf.float32, 2, [])
    return [p.to_tensor(), p.to_tensor(shape=[None, 2, None]), p.bounding_shape(),
            {p: tf.ragged.constant_value([[[1.], [2., 3.]], []])}]
def _tensor_index():
    i = tf.placeholder(tf.int32, [])
    return [tf.ragged.constant([[1, 2], [3]])[i], {i: 1}]
cases = {
  "from_tensor_fed": _from_tensor_fed,
  "to_tensor_fed": _to_tensor_fed,
  "tensor_index": _tensor_index,
  "ellipsis": lambda: tf.ragged.constant([[[1, 2], [3]], [[4]]])[..., :1],
  "ellipsis2": lambda: tf.ragged.constant([[1, 2], [3]])[1, ...],
  "merge_dims_inner": lambda: tf.ragged.constant(
      [[[1, 2], [3, 4]], [[5, 6]]], ragged_rank=1).merge_dims(1, 2),
  "merge_dims_all": lambda: tf.ragged.constant([[[1, 2], [3]], [[4]]]).merge_dims(0, 2),
  "grad_of_ragged": _grad_of_ragged,
  "grad_ys_ragged": _grad_ys_ragged,
  "cond": _cond,
  "cond_mixed": _cond_mixed,
  "placeholder": _ph,
  "placeholder_rr2": _ph2,
  "grad_to_tensor": _grad,
  "grad_to_sparse": _grad_sparse,
  "grad_reduce": _grad_reduce,
}
"""


@pytest.fixture(scope="module")
def both():
    return {
        name: (harness.run_here(src), harness.run_tf(src))
        for name, src in (("cases", CASES), ("errors", ERRORS), ("feeds", FEEDS))
    }


def _names(src: str) -> list[str]:
    scope = {"tf": tf, "np": np}
    exec(src, scope)
    return list(scope["cases"])


@requires_tf
@pytest.mark.parametrize("name", _names(CASES))
def test_construction_and_conversion_as_tf(both, name):
    harness.compare(*both["cases"], name)


@requires_tf
@pytest.mark.parametrize("name", _names(ERRORS))
def test_validation_errors_as_tf(both, name):
    here, theirs = both["errors"]
    harness.compare(here, theirs, name)
    if name.startswith("bad_"):
        assert here[name]["error"][0] == "InvalidArgumentError"


@requires_tf
@pytest.mark.parametrize("name", _names(FEEDS))
def test_feeds_and_gradients_as_tf(both, name):
    harness.compare(*both["feeds"], name)


def test_fetch_gives_ragged_tensor_value():
    with tf.Graph().as_default():
        rt = tf.ragged.constant([[1, 2], [], [3]])
        with tf.Session() as sess:
            v = sess.run(rt)
            d = sess.run({"a": rt, "b": [rt.row_splits]})
        assert isinstance(v, tf.ragged.RaggedTensorValue)
        assert v.to_list() == [[1, 2], [], [3]]
        assert v.ragged_rank == 1 and v.shape == (3, None)
        np.testing.assert_array_equal(v.flat_values, [1, 2, 3])
        assert d["a"].to_list() == [[1, 2], [], [3]]
        np.testing.assert_array_equal(d["b"][0], [0, 2, 2, 3])
        with tf.Session() as sess:
            assert rt.eval(session=sess).to_list() == [[1, 2], [], [3]]
    assert str(v) == "<tf.RaggedTensorValue [[1, 2], [], [3]]>"


def test_ragged_tensor_value_checks_its_arguments():
    with pytest.raises(TypeError, match="row_splits must be a 1D int32 or int64 numpy array"):
        tf.ragged.RaggedTensorValue(np.array([1]), [0, 1])
    with pytest.raises(ValueError, match="same dtype"):
        inner = tf.ragged.RaggedTensorValue(np.array([1]), np.array([0, 1], np.int32))
        tf.ragged.RaggedTensorValue(inner, np.array([0, 1], np.int64))


def test_static_shape_and_spec():
    with tf.Graph().as_default():
        rt = tf.ragged.constant([[[1, 2], [3]], [[4]]])
        assert rt.shape.as_list() == [2, None, None]
        assert rt.ragged_rank == 2 and rt.dtype == tf.int32
        spec = rt._type_spec
        assert spec == tf.RaggedTensorSpec([2, None, None], tf.int32, 2)
        assert spec.is_compatible_with(
            tf.ragged.constant_value([[[1]], [[2], [3]]], dtype=np.int32)
        )
        assert not spec.is_compatible_with(tf.ragged.constant_value([[1.0]]))
        spec3 = tf.RaggedTensorSpec([None, None, 3], tf.float32)
        assert spec3.ragged_rank == 2
        assert repr(spec3) == (
            "RaggedTensorSpec(TensorShape([Dimension(None), Dimension(None), Dimension(3)]), "
            "tf.float32, 2, tf.int64)"
        )
        with pytest.raises(
            ValueError, match=r"Argument `ragged_rank` \(2\) must be less than rank \(2\)\."
        ):
            tf.RaggedTensorSpec([None, None], ragged_rank=2)
