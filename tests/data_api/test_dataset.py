"""tf.data in tfgraph: errors (TF's classes and messages, checked with TF 2.21), shuffle
properties, per-session iterator state, captured tensors and graph export."""

from __future__ import annotations

import numpy as np
import pytest

import tfgraph as tf
from tfgraph import proto


@pytest.fixture(autouse=True)
def _fresh_graph():
    with tf.Graph().as_default():
        yield


def drain(sess, t, feed_dict=None):
    out = []
    while True:
        try:
            out.append(sess.run(t, feed_dict))
        except tf.errors.OutOfRangeError:
            return out


def _next(ds):
    return tf.data.make_one_shot_iterator(ds).get_next()


def test_end_of_sequence_is_out_of_range_naming_the_op():
    n = _next(tf.data.Dataset.range(2))
    with tf.Session() as s:
        assert [s.run(n), s.run(n)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError) as info:
            s.run(n)
        assert info.value.message.startswith("End of sequence")
        assert "[[{{node IteratorGetNext}}]]" in info.value.message
        with pytest.raises(tf.errors.OutOfRangeError):  # stays at the end
            s.run(n)


def test_the_classic_loop():
    ds = tf.data.Dataset.from_tensor_slices(np.arange(10.0)).batch(4)
    n = _next(ds)
    total, steps = 0.0, 0
    with tf.Session() as sess:
        while True:
            try:
                total += sess.run(tf.reduce_sum(n))
                steps += 1
            except tf.errors.OutOfRangeError:
                break
    assert (total, steps) == (45.0, 3)


def test_uninitialized_iterator_is_failed_precondition():
    it = tf.data.make_initializable_iterator(tf.data.Dataset.range(3))
    n = it.get_next()
    with tf.Session() as s:
        with pytest.raises(tf.errors.FailedPreconditionError, match="has not been initialized"):
            s.run(n)


def test_batch_of_different_shapes():
    ds = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill([x], x)).batch(3)
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            s.run(_next(ds))
    assert (
        "Cannot add tensor to the batch: number of elements does not match. Shapes are: "
        "[tensor]: [1], [batch]: [2]" in info.value.message
    )


def test_batch_size_zero():
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Batch size must be greater"):
            s.run(_next(tf.data.Dataset.range(3).batch(0)))


def test_generator_yielding_wrong_shape_or_type():
    def wrong_shape():
        yield [1, 2]
        yield [1, 2, 3]

    def wrong_type():
        yield "abc"

    n = _next(tf.data.Dataset.from_generator(wrong_shape, tf.int32, [2]))
    m = _next(tf.data.Dataset.from_generator(wrong_type, tf.int32, []))
    with tf.Session() as s:
        assert s.run(n).tolist() == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            s.run(n)
        assert (
            "TypeError: `generator` yielded an element of shape (3,) where an element of "
            "shape (2,) was expected." in info.value.message
        )
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            s.run(m)
        assert (
            "TypeError: `generator` yielded an element that could not be converted to the "
            "expected type. The expected type was int32, but the yielded element was abc."
            in info.value.message
        )


def test_build_time_errors():
    p = tf.placeholder(tf.int64, [None])
    with pytest.raises(ValueError, match=r"Cannot capture a placeholder \(name:Placeholder"):
        tf.data.make_one_shot_iterator(tf.data.Dataset.from_tensor_slices(p))
    with pytest.raises(ValueError, match="`predicate` must return a `tf.bool` scalar tensor"):
        tf.data.Dataset.range(3).filter(lambda x: x)
    it = tf.data.Iterator.from_structure(tf.int64, [])
    ints = tf.data.Dataset.range(3).map(lambda x: tf.cast(x, tf.int32))
    with pytest.raises(TypeError, match="Expected output types tf.int64 but got dataset with"):
        it.make_initializer(ints)
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="The iterator does not have an initializer"):
        _ = tf.data.make_one_shot_iterator(tf.data.Dataset.range(3)).initializer


def test_missing_file_is_not_found():
    with tf.Session() as s:
        with pytest.raises(tf.errors.NotFoundError, match="/nonexistent/x; No such file"):
            s.run(_next(tf.data.TFRecordDataset("/nonexistent/x")))


def test_fixed_length_body_not_a_multiple(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abcdefg")
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError, match="has body length 7 bytes"):
            s.run(_next(tf.data.FixedLengthRecordDataset(str(path), 2)))


def test_seeded_shuffle_is_repeatable_and_reshuffles_each_epoch():
    ds = tf.data.Dataset.range(50).shuffle(10, seed=7).batch(50).repeat(3)
    fixed = tf.data.Dataset.range(50).shuffle(10, seed=7, reshuffle_each_iteration=False)
    fixed = fixed.batch(50).repeat(2)
    runs = []
    for _ in range(2):  # two sessions, same seed: the same orders
        with tf.Session() as s:
            runs.append([e.tolist() for e in drain(s, _next(ds))])
    assert runs[0] == runs[1]
    epochs = runs[0]
    assert all(sorted(e) == list(range(50)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    assert epochs[0] != list(range(50))
    with tf.Session() as s:
        a, b = (e.tolist() for e in drain(s, _next(fixed)))
    assert a == b and sorted(a) == list(range(50))


def test_shuffle_buffer_bounds_displacement():
    """An element leaves the buffer no earlier than buffer_size - 1 places before its
    position, as with any buffer shuffle."""
    with tf.Session() as s:
        order = [int(v) for v in drain(s, _next(tf.data.Dataset.range(100).shuffle(5, seed=1)))]
    assert sorted(order) == list(range(100))
    assert all(v <= pos + 4 for pos, v in enumerate(order))


def test_reinitializing_restarts_and_sessions_are_independent():
    it = tf.data.make_initializable_iterator(tf.data.Dataset.range(5))
    n = it.get_next()
    s1, s2 = tf.Session(), tf.Session()
    s1.run(it.initializer)
    s2.run(it.initializer)
    assert [s1.run(n), s1.run(n), s1.run(n)] == [0, 1, 2]
    assert s2.run(n) == 0
    s1.run(it.initializer)
    assert s1.run(n) == 0
    s1.close()
    s2.close()


def test_initializer_fed_from_placeholder():
    data = tf.placeholder(tf.float32, [None, 2])
    it = tf.data.make_initializable_iterator(tf.data.Dataset.from_tensor_slices(data).batch(2))
    n = it.get_next()
    with tf.Session() as s:
        s.run(it.initializer, {data: np.ones([3, 2])})
        assert [v.shape for v in drain(s, n)] == [(2, 2), (1, 2)]
        s.run(it.initializer, {data: np.zeros([1, 2])})
        assert drain(s, n)[0].tolist() == [[0.0, 0.0]]


def test_map_reads_a_variable_when_the_iterator_starts():
    v = tf.Variable(3.0)
    ds = tf.data.Dataset.from_tensor_slices([1.0, 2.0]).map(lambda x: x * v)
    it = tf.data.make_initializable_iterator(ds)
    n = it.get_next()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(it.initializer)
        assert drain(s, n) == [3.0, 6.0]


def test_map_functions_are_traced_once_outside_the_graph():
    calls = []

    def f(x):
        calls.append(x)
        return x + 1

    ds = tf.data.Dataset.range(5).map(f)
    n = _next(ds)
    with tf.Session() as s:
        assert drain(s, n) == [1, 2, 3, 4, 5]
    assert len(calls) == 1
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert "AddV2" not in types and "Placeholder" not in types


def test_graph_def_export_names_the_functions():
    ds = tf.data.Dataset.range(5).map(lambda x: x * 2).filter(lambda x: x > 2)
    it = tf.data.make_one_shot_iterator(ds)
    it.get_next()
    gd = tf.get_default_graph().as_graph_def()
    nodes = {n.name: n for n in gd.node}
    assert nodes["MapDataset"].attr["f"].func.name.startswith("__inference_Dataset_map_lambda")
    assert (
        nodes["FilterDataset"]
        .attr["predicate"]
        .func.name.startswith("__inference_Dataset_filter_lambda")
    )
    assert nodes["OneShotIterator"].attr["dataset_factory"].func.name.startswith("_make_dataset_")
    assert isinstance(gd, proto.GraphDef)
    library = {f.signature.name: f for f in gd.library.function}
    assert sorted(library) == sorted(
        [
            nodes["MapDataset"].attr["f"].func.name,
            nodes["FilterDataset"].attr["predicate"].func.name,
            nodes["OneShotIterator"].attr["dataset_factory"].func.name,
        ]
    )
    mapped = library[nodes["MapDataset"].attr["f"].func.name]
    assert [a.name for a in mapped.signature.input_arg] == ["args_0"]
    assert [n.op for n in mapped.node_def] == ["Const", "Mul"]
    assert list(mapped.node_def[1].input) == ["args_0", "mul/y:output:0"]
    assert dict(mapped.ret) == {"output_0": "mul:z:0"}


@pytest.mark.parametrize(
    "key, counter, expected",
    [  # Random123's known-answer vectors for Philox4x32-10
        ((0, 0), [0, 0, 0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
        ((0xFFFFFFFF,) * 2, [0xFFFFFFFF] * 4, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
        (
            (0xA4093822, 0x299F31D0),
            [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
            [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1],
        ),
    ],
)
def test_shuffle_draws_philox4x32_10(key, counter, expected):
    from tfgraph.ops.dataset_ops import _philox4x32

    assert _philox4x32(*key, counter) == expected


def test_threads_share_one_iterator_without_losing_or_repeating_elements():
    import threading

    n = _next(tf.data.Dataset.range(400).map(lambda x: x + 1))
    got, lock = [], threading.Lock()
    with tf.Session() as s:

        def worker():
            while True:
                try:
                    v = s.run(n)
                except tf.errors.OutOfRangeError:
                    return
                with lock:
                    got.append(int(v))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(got) == list(range(1, 401))


def test_compat_v1_data_is_tf_data():
    import tfgraph.compat.v1 as v1

    assert v1.data.Dataset is tf.data.Dataset
    assert v1.data.experimental.AUTOTUNE == -1


def test_fetching_a_dataset_is_tfs_internal_error():
    ds = tf.data.Dataset.range(3)
    with tf.Session() as s:
        with pytest.raises(tf.errors.InternalError, match="type 21 not convertible to numpy"):
            s.run(ds._variant_tensor)
