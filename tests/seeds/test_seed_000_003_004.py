"""Seeds 000 and 003 (the TF2 "Introduction to Variables" guide, Python and R) and 004
(the TF 2.0 variables guide), in their TF1 graph-mode form.

The seeds run eagerly (`my_variable.numpy()`); in graph mode the same programs build
ops and a Session evaluates them. Where TF 2.21's graph mode differs from the eager
text of a seed (error wording, `==` semantics), the test follows TF 2.21 and says so.
"""

import numpy as np
import pytest

import tfgraph as tf


def _run(*fetches, config=None):
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(fetches))


def test_create_a_variable():
    my_tensor = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    my_variable = tf.Variable(my_tensor)
    # Variables can be all kinds of types, just like tensors
    bool_variable = tf.Variable([False, False, False, True])
    complex_variable = tf.Variable([5 + 4j, 6 + 1j])
    assert my_variable.shape == tf.TensorShape([2, 2])
    assert my_variable.dtype.base_dtype is tf.float32  # eager prints <dtype: 'float32'>
    assert bool_variable.dtype.base_dtype is tf.bool
    assert complex_variable.dtype.base_dtype is tf.complex128  # as seed 003 prints
    value, bools, complexes = _run(my_variable, bool_variable, complex_variable)
    np.testing.assert_array_equal(value, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(bools, [False, False, False, True])
    np.testing.assert_array_equal(complexes, [5 + 4j, 6 + 1j])


def test_tensor_operations_on_variables():
    my_variable = tf.Variable(tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    viewed = tf.convert_to_tensor(my_variable)
    highest = tf.argmax(my_variable)
    # This creates a new tensor; it does not reshape the variable.
    reshaped = tf.reshape(my_variable, [1, 4])
    assert highest.dtype is tf.int64
    assert reshaped.shape == tf.TensorShape([1, 4])
    v, idx, r = _run(viewed, highest, reshaped)
    np.testing.assert_array_equal(v, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(idx, [1, 1])  # "Index of highest value: [1 1]"
    np.testing.assert_array_equal(r, [[1.0, 2.0, 3.0, 4.0]])
    assert my_variable.shape == tf.TensorShape([2, 2])


def test_assign_keeps_dtype_and_refuses_resize():
    a = tf.Variable([2.0, 3.0])
    # This will keep the same dtype, float32
    assigned = a.assign([1, 2])
    assert assigned.dtype.base_dtype is tf.float32
    np.testing.assert_array_equal(_run(assigned)[0], [1.0, 2.0])
    # Not allowed as it resizes the variable. Eager TF says "Shapes (2,) and (3,) are
    # incompatible"; TF 2.21 graph mode raises ValueError with shape-inference wording.
    with pytest.raises(
        ValueError, match="Dimension 0 in both shapes must be equal, but are 2 and 3"
    ):
        a.assign([1.0, 2.0, 3.0])


def test_new_variable_from_existing_duplicates_the_value():
    a = tf.Variable([2.0, 3.0])
    # Create b based on the value of a
    b = tf.Variable(a)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(a.assign([5, 6]))
        # a and b are different
        np.testing.assert_array_equal(sess.run(a), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(b), [2.0, 3.0])
        # There are other versions of assign
        np.testing.assert_array_equal(sess.run(a.assign_add([2, 3])), [7.0, 9.0])
        np.testing.assert_array_equal(sess.run(a.assign_sub([7, 9])), [0.0, 0.0])


def test_names_and_elementwise_comparison():
    my_tensor = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    # Create a and b; they will have the same name but will be backed by different tensors.
    a = tf.Variable(my_tensor, name="Mark")
    # A new variable with the same name, but different value
    # Note that the scalar add is broadcast
    b = tf.Variable(my_tensor + 1, name="Mark")
    # In a graph, op names are unique: TF names the second one Mark_1.
    assert (a.name, b.name) == ("Mark:0", "Mark_1:0")
    # `a == b` is Python identity in TF1 graph mode; the elementwise form is tf.equal.
    assert (a == b) is False
    np.testing.assert_array_equal(_run(tf.equal(a, b))[0], [[False, False], [False, False]])


def test_non_trainable_step_counter():
    step_counter = tf.Variable(1, trainable=False)
    assert not step_counter.trainable
    assert step_counter not in tf.trainable_variables()
    assert step_counter.dtype.base_dtype is tf.int32
    assert _run(step_counter)[0] == 1


def test_placing_variables_and_tensors():
    with tf.device("CPU:0"):
        # Create some tensors
        a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        c = tf.matmul(a, b)
    assert a.device == c.device == "/device:CPU:0"
    np.testing.assert_array_equal(_run(c)[0], [[22.0, 28.0], [49.0, 64.0]])


def test_computation_on_another_device_with_soft_placement():
    with tf.device("CPU:0"):
        a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        b = tf.Variable([[1.0, 2.0, 3.0]])
    with tf.device("GPU:0"):
        # Element-wise multiply
        k = a * b
    assert k.device == "/device:GPU:0"
    # There is no GPU here: TF2's soft placement (on by default eagerly, seed 003's note)
    # is `allow_soft_placement=True` in a TF1 session.
    config = tf.ConfigProto(allow_soft_placement=True)
    np.testing.assert_array_equal(_run(k, config=config)[0], [[1.0, 4.0, 9.0], [4.0, 10.0, 18.0]])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="Cannot assign a device for operation mul"
    ):
        _run(k)


def test_seed_004_zeros_variable_and_reads():
    my_variable = tf.Variable(tf.zeros([1.0, 2.0, 3.0]))
    assert my_variable.shape == tf.TensorShape([1, 2, 3])
    assert my_variable.dtype.base_dtype is tf.float32
    with tf.Graph().as_default():  # TF checks placement for the whole graph when it runs
        with tf.device("/device:GPU:1"):
            v = tf.Variable(tf.zeros([10, 10]))
        assert v.device == "/device:GPU:1"
    v = tf.Variable(0.0)
    w = v + 1  # w is a tf.Tensor which is computed based on the value of v.
    assert isinstance(w, tf.Tensor)
    assign = v.assign_add(1)
    with tf.control_dependencies([assign]):
        read = v.read_value()  # 1.0 after the add, as the seed's comment says
    with tf.Session() as sess:
        sess.run([my_variable.initializer, v.initializer])
        assert sess.run(w) == 1.0
        assert sess.run(read) == 1.0


def test_seed_004_module_tracks_variables():
    class MyModuleOne(tf.Module):
        def __init__(self):
            self.v0 = tf.Variable(1.0)
            self.vs = [tf.Variable(x) for x in range(10)]

    class MyOtherModule(tf.Module):
        def __init__(self):
            self.m = MyModuleOne()
            self.v = tf.Variable(10.0)

    m = MyOtherModule()
    assert len(m.variables) == 12  # 11 from m.m and another from m.v
    assert len(m.trainable_variables) == 12
