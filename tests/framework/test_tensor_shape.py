import pytest

import tfgraph as tf
from tfgraph.framework.tensor_shape import Dimension, TensorShape, unknown_shape


def test_tf1_indexing_returns_dimensions():
    s = TensorShape([2, None])
    assert repr(s) == "TensorShape([Dimension(2), Dimension(None)])"
    assert str(s) == "(2, ?)"
    assert isinstance(s[0], Dimension) and s[0].value == 2 and s[1].value is None
    assert s[1:] == TensorShape([None])
    assert s.as_list() == [2, None]
    assert s.dims == [Dimension(2), Dimension(None)] or [d.value for d in s.dims] == [2, None]


def test_str_forms():
    assert str(TensorShape(None)) == "<unknown>"
    assert repr(TensorShape(None)) == "TensorShape(None)"
    assert str(TensorShape([])) == "()"
    assert str(TensorShape([3])) == "(3,)"


def test_unknown_rank():
    s = TensorShape(None)
    assert s.ndims is None and s.num_elements() is None
    assert not bool(s)
    with pytest.raises(ValueError, match="as_list\\(\\) is not defined on an unknown TensorShape"):
        s.as_list()
    assert s.merge_with([1, 2]) == TensorShape([1, 2])
    assert unknown_shape(2) == TensorShape([None, None])


def test_merge_and_compatibility():
    s = TensorShape([2, None])
    assert s.is_compatible_with([2, 3])
    assert not s.is_compatible_with([3, 3])
    assert s.merge_with([None, 3]) == TensorShape([2, 3])
    with pytest.raises(ValueError, match="are not compatible"):
        s.merge_with([3, 3])
    assert s.most_specific_compatible_shape(TensorShape([2, 4])) == TensorShape([2, None])
    assert s.concatenate([4]) == TensorShape([2, None, 4])
    assert s.with_rank(2) is s
    with pytest.raises(ValueError, match="must have rank 3"):
        s.with_rank(3)


def test_num_elements_and_fully_defined():
    assert TensorShape([2, 3]).num_elements() == 6
    assert TensorShape([]).num_elements() == 1
    assert TensorShape([2, None]).num_elements() is None
    assert TensorShape([2, 3]).is_fully_defined()


def test_dimension_arithmetic_and_comparison():
    assert (Dimension(3) + 1).value == 4
    assert (Dimension(None) + 1).value is None
    assert Dimension(3) == 3
    assert (Dimension(None) == 3) is None
    assert int(Dimension(3)) == 3
    assert (Dimension(3) * Dimension(2)).value == 6
    assert Dimension(None).merge_with(4).value == 4
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        Dimension(3).merge_with(4)
    with pytest.raises(TypeError):
        hash(Dimension(3))


def test_negative_dimensions_rejected():
    with pytest.raises(ValueError, match="Dimension -1 must be >= 0"):
        Dimension(-1)
    with pytest.raises(ValueError, match="Dimension -1 must be >= 0"):
        TensorShape([-1, 3])


def test_public_aliases():
    assert tf.TensorShape is TensorShape
    assert tf.dimension_value(TensorShape([3])[0]) == 3
    assert tf.dimension_at_index(TensorShape([3]), 0).value == 3
