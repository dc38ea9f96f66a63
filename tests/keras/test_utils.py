"""tf.keras.utils (to_ordinal, pad_sequences, Progbar, interactive logging, legacy
serialization), preprocessing.sequence (skipgrams, make_sampling_table,
TimeseriesGenerator) and preprocessing.text.hashing_trick, against TensorFlow's Keras 2."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras

PROGRAM = """
import random
K = tf.keras
U = K.utils
S = K.preprocessing.sequence
result = {}
result["ordinal"] = U.to_ordinal([[0], [2], [1]], 4)
result["ordinal_auto"] = U.to_ordinal(np.array([[0, 1], [3, 2]]))
result["pad"] = U.pad_sequences([[1, 2, 3], [4], []], maxlen=2, padding="post", value=-1)
result["hash_md5"] = K.preprocessing.text.hashing_trick("The cat sat, on the mat!", 7, "md5")
result["hash_custom"] = K.preprocessing.text.hashing_trick("a bb ccc", 5, hash_function=len)
result["sampling"] = S.make_sampling_table(8, sampling_factor=1e-3)
random.seed(7)
result["skip"] = S.skipgrams([1, 0, 2, 3, 4, 2], 6, window_size=2, seed=11)
random.seed(7)
result["skip_cat"] = S.skipgrams([3, 1, 2], 4, window_size=1, negative_samples=0.5,
                                 categorical=True, shuffle=False)
random.seed(5)
table = S.make_sampling_table(6, sampling_factor=0.05)
result["skip_table"] = S.skipgrams([1, 2, 3, 4, 5], 6, window_size=1, sampling_table=table,
                                   seed=2)
data = np.arange(40).reshape(20, 2)
gen = S.TimeseriesGenerator(data, np.arange(20), length=4, sampling_rate=2, stride=3,
                            start_index=1, end_index=17, batch_size=2, reverse=True)
result["ts_len"] = len(gen)
result["ts_items"] = [list(gen[i]) for i in range(len(gen))]
result["ts_config"] = gen.get_config()
result["ts_json"] = json.loads(gen.to_json())["class_name"]
np.random.seed(3)
shuffled = S.TimeseriesGenerator(data, np.arange(20), length=3, shuffle=True, batch_size=4)
result["ts_shuffled"] = list(shuffled[0])
for bad in [dict(data=data, targets=np.arange(3), length=2),
            dict(data=data, targets=np.arange(20), length=19)]:
    try:
        S.TimeseriesGenerator(**bad)
    except ValueError as e:
        result.setdefault("ts_errors", []).append(str(e))
result["logging_default"] = U.is_interactive_logging_enabled()
U.disable_interactive_logging()
result["logging_off"] = U.is_interactive_logging_enabled()
U.enable_interactive_logging()
result["logging_on"] = U.is_interactive_logging_enabled()
class Thing:
    def __init__(self, size=1):
        self.size = size

    def get_config(self):
        return {"size": self.size}


result["legacy_ser"] = U.legacy.serialize_keras_object(Thing(3))
result["legacy_none"] = U.legacy.serialize_keras_object(None)
thing = U.legacy.deserialize_keras_object({"class_name": "Thing", "config": {"size": 5}},
                                          custom_objects={"Thing": Thing})
result["legacy_thing"] = thing.size
back = U.legacy.deserialize_keras_object(
    {"class_name": "Dense", "config": {"units": 4, "name": "e"}},
    module_objects={"Dense": K.layers.Dense})
result["legacy_back"] = [type(back).__name__, back.units, back.name]
try:
    U.legacy.deserialize_keras_object({"class_name": "Nope", "config": {}}, module_objects={},
                                      printable_module_name="layer")
except ValueError as e:
    result["legacy_error"] = str(e).split(".")[0]
bar = U.Progbar(4, verbose=0, stateful_metrics=["acc"])
bar.update(1, [("loss", 2.0), ("acc", 0.5)])
bar.update(3, [("loss", 1.0), ("acc", 0.75)])
bar.add(1, [("loss", 4.0)])
result["progbar"] = [bar._values, bar._values_order, bar._seen_so_far]
"""


@pytest.mark.tf
@requires_tf
def test_utils_match_tensorflow():
    expected = theirs(PROGRAM)
    assert_same(ours(PROGRAM), expected)


def test_utils_by_hand():
    out = ours(PROGRAM)
    assert out["ordinal"] == [[0, 0, 0], [1, 1, 0], [1, 0, 0]]
    assert out["pad"] == [[2, 3], [4, -1], [-1, -1]]
    assert out["hash_custom"] == [2, 3, 4]
    assert out["ts_len"] == 3
    assert out["logging_default"] and not out["logging_off"] and out["logging_on"]


PROGBAR = """
import io, re, sys
K = tf.keras
result = {}
for verbose in (1, 2):
    buf, old = io.StringIO(), sys.stdout
    sys.stdout = buf
    try:
        bar = K.utils.Progbar(3, width=10, verbose=verbose, interval=0.0)
        bar.update(1, [("loss", 0.5)])
        bar.update(3, [("loss", 0.25), ("tiny", 1e-5)])
    finally:
        sys.stdout = old
    text = re.sub(r"[0-9]+(s|ms|us)", "T", buf.getvalue())
    result[str(verbose)] = text.replace("\\b", "").replace("\\r", "|")
"""


@pytest.mark.tf
@requires_tf
def test_progbar_output_matches_tensorflow():
    expected = theirs(PROGBAR)
    assert ours(PROGBAR) == expected


def test_progbar_lines():
    out = ours(PROGBAR)
    assert "3/3 [==========]" in out["1"]
    assert re.search(r"loss: 0\.3333", out["2"]), out["2"]


def test_logging_off_sends_messages_to_logging(caplog, capsys):
    K.utils.disable_interactive_logging()
    try:
        with caplog.at_level("INFO"):
            K.utils.Progbar(1, verbose=2).update(1, [("loss", 1.0)])
    finally:
        K.utils.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert "loss: 1.0000" in caplog.text


def test_timeseries_generator_feeds_fit_generator():
    data = np.arange(30, dtype="float32").reshape(15, 2)
    gen = K.preprocessing.sequence.TimeseriesGenerator(data, data[:, :1], length=3, batch_size=4)
    model = K.Sequential([K.layers.Flatten(input_shape=(3, 2)), K.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = gen[0]
    assert x.shape == (4, 3, 2) and y.shape == (4, 1)
    assert model.predict(x).shape == (4, 1)


ENQUEUERS = """
import random
U = tf.keras.utils
result = {}


class Squares(U.Sequence):
    def __init__(self):
        self.epochs = 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return [i * i, self.epochs]

    def on_epoch_end(self):
        self.epochs += 1


random.seed(1)
for shuffle in (False, True):
    enq = U.OrderedEnqueuer(Squares(), shuffle=shuffle)
    enq.start(workers=2, max_queue_size=3)
    out = enq.get()
    result[f"ordered_{shuffle}"] = [next(out) for _ in range(10)]
    result["running"] = enq.is_running()
    enq.stop()
    result["stopped"] = enq.is_running()


def counting():
    for i in range(5):
        yield i * 10


enq = U.GeneratorEnqueuer(counting())
enq.start(workers=1, max_queue_size=2)
result["generator"] = sorted(enq.get())
result["is_sequence_enqueuer"] = isinstance(enq, U.SequenceEnqueuer)
"""


@pytest.mark.tf
@requires_tf
def test_enqueuers_match_tensorflow():
    expected = theirs(ENQUEUERS)
    assert_same(ours(ENQUEUERS), expected)


def test_enqueuers_by_hand():
    out = ours(ENQUEUERS)
    assert out["ordered_False"][:5] == [[0, 0], [1, 0], [4, 0], [9, 0], [0, 1]]
    assert out["generator"] == [0, 10, 20, 30, 40]
    assert out["running"] and not out["stopped"]


class _Halves(K.utils.Sequence):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        return np.full(2, i / 2)


def test_ordered_enqueuer_with_processes():
    enq = K.utils.OrderedEnqueuer(_Halves(), use_multiprocessing=True)
    enq.start(workers=2)
    try:
        out = enq.get()
        got = [next(out).tolist() for _ in range(4)]
    finally:
        enq.stop()
    assert got == [[0.0, 0.0], [0.5, 0.5], [1.0, 1.0], [0.0, 0.0]]


LAYER_UTILS = """
K = tf.keras
L = K.layers
result = {}
a = L.Input((3,), name="a")
b = L.Input((2,), name="b")
h = L.Dense(4, name="da")(a)
cat = L.Concatenate(name="cat")([h, b, a])
out = L.Dense(1, name="o")(cat)
result["sources"] = [t.name for t in K.utils.get_source_inputs(out)]
result["sources_b"] = [t.name for t in K.utils.get_source_inputs(b)]
plain = tf.constant([1.0])
result["plain"] = K.utils.get_source_inputs(plain) is plain
base = np.arange(12, dtype="float32").reshape(4, 3)
m = K.utils.warmstart_embedding_matrix(["w", "x", "y", "z"], np.array(["y", "new", "w"]), base,
                                       new_embeddings_initializer="zeros")
result["warm_type"] = [hasattr(m, "op"), m.shape.as_list(), m.dtype.name]
with tf.Session() as s:
    result["warm"] = s.run(m)
    r = s.run(K.utils.warmstart_embedding_matrix(["p"], ["q", "r"], base[:, :2],
                                                 new_embeddings_initializer=K.initializers.Constant(3.0)))
    result["warm_none"] = r
for bad in [lambda: K.utils.warmstart_embedding_matrix([], ["a"], base),
            lambda: K.utils.warmstart_embedding_matrix(3, ["a"], base),
            lambda: K.utils.warmstart_embedding_matrix("/nonexistent/vocab.txt", ["a"], base)]:
    try:
        bad()
    except ValueError as e:
        result.setdefault("warm_errors", []).append(str(e))
"""


@pytest.mark.tf
@requires_tf
def test_layer_utils_match_tensorflow():
    expected = theirs(LAYER_UTILS)
    tf.reset_default_graph()
    assert_same(ours(LAYER_UTILS), expected)


def test_layer_utils_by_hand():
    tf.reset_default_graph()
    out = ours(LAYER_UTILS)
    assert out["sources"] == ["a:0", "b:0"]
    assert out["warm"][1] == [0.0, 0.0, 0.0] and out["warm"][2] == [0.0, 1.0, 2.0]


VIS = """
K = tf.keras
L = K.layers
result = {}
unbuilt = K.Sequential([L.Dense(2)])
built = K.Sequential([L.Dense(2, input_shape=(3,))])
for fn in (K.utils.model_to_dot, K.utils.plot_model):
    for model in (unbuilt, built):
        try:
            fn(model)
        except (ValueError, ImportError) as e:
            result.setdefault(fn.__name__, []).append([type(e).__name__, str(e)])
"""


@pytest.mark.tf
@requires_tf
def test_model_to_dot_without_pydot_matches_tensorflow():
    expected = theirs(VIS)
    tf.reset_default_graph()
    assert ours(VIS) == expected


class _FakePydot:
    """Just enough of pydot's API to record what model_to_dot builds."""

    class InvocationException(Exception):
        pass

    class Node:
        def __init__(self, name, label):
            self.name, self.label = name, label

    class Edge:
        def __init__(self, src, dst):
            self.pair = (src, dst)

    class Dot:
        def __init__(self, **kwargs):
            self.attrs, self.nodes, self.edges = dict(kwargs), [], []

        def set(self, key, value):
            self.attrs[key] = value

        def set_node_defaults(self, **kwargs):
            self.attrs["node"] = kwargs

        def add_node(self, node):
            self.nodes.append(node)

        def get_edge(self, src, dst):
            return [e for e in self.edges if e.pair == (src, dst)]

        def add_edge(self, edge):
            self.edges.append(edge)

        def create(self):
            raise OSError("no dot program")

    Cluster = Dot


def test_model_to_dot_with_pydot(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pydot_ng", _FakePydot)
    tf.reset_default_graph()
    a = K.layers.Input((3,), name="a")
    h = K.layers.Dense(4, activation="relu", name="h")(a)
    out = K.layers.Concatenate(name="cat")([h, a])
    model = K.Model(a, out)
    dot = K.utils.model_to_dot(model, show_shapes=True, show_layer_activations=True)
    labels = [n.label for n in dot.nodes]
    assert labels[1] == "{h|{Dense|relu}}|{input:|output:}|{{(None, 3)}|{(None, 4)}}"
    assert labels[0].startswith("{a|InputLayer}")
    ids = {n.label.split("|")[0].strip("{"): n.name for n in dot.nodes}
    assert sorted(e.pair for e in dot.edges) == sorted(
        [(ids["a"], ids["h"]), (ids["a"], ids["cat"]), (ids["h"], ids["cat"])]
    )
    assert dot.attrs["rankdir"] == "TB" and dot.attrs["dpi"] == 96
    short = K.utils.model_to_dot(model, show_layer_names=False, layer_range=["h", "cat"])
    assert [n.label for n in short.nodes] == ["Dense", "Concatenate"]
    assert len(short.edges) == 2  # (into cat only: from h and from the input a)
    with pytest.raises(ImportError, match="install graphviz"):
        K.utils.plot_model(model)  # (the fake pydot finds no Graphviz)


RANDOM_TOOL = """
U = tf.keras.utils
result = {}
for mode in ("constant", "num_random_ops"):
    tool = U.DeterministicRandomTestTool(seed=7, mode=mode)
    with tool.scope():
        a = tf.random.uniform([3])
        b = tf.random.normal([2], seed=99)
        c = tf.nn.dropout(tf.ones([4]), rate=0.5)
    with tf.Session() as s:
        result[mode] = [s.run([a, b, c]), tool.operation_seed]
tool = U.DeterministicRandomTestTool(mode="num_random_ops")
with tool.scope():
    tf.random.uniform([1])
    tool.operation_seed = 0
    try:
        tf.random.uniform([1])
    except ValueError as e:
        result["reuse"] = str(e).split(".")[0]
try:
    U.DeterministicRandomTestTool(mode="sometimes")
except ValueError as e:
    result["mode_error"] = str(e)
result["outside"] = tf.random.uniform([1]).op.get_attr("seed2") != 7
"""


@pytest.mark.tf
@requires_tf
def test_deterministic_random_test_tool_matches_tensorflow():
    expected = theirs(RANDOM_TOOL)
    tf.reset_default_graph()
    assert_same(ours(RANDOM_TOOL), expected)


def test_deterministic_random_test_tool_by_hand():
    tf.reset_default_graph()
    out = ours(RANDOM_TOOL)
    assert out["num_random_ops"][1] == 3 and out["constant"][1] == 0
    assert out["reuse"].startswith("This `DeterministicRandomTestTool`")


SHIM = """
K = tf.keras
result = {}


class Block(K.layers.Layer):
    @K.utils.track_tf1_style_variables
    def call(self, x):
        w = tf.get_variable("w", shape=[3, 2], initializer=tf.ones_initializer(),
                            regularizer=lambda t: tf.reduce_sum(t) * 0.1)
        with tf.variable_scope("s"):
            v = tf.get_variable("v", shape=[2], initializer=tf.constant_initializer(0.5))
        dense = K.utils.get_or_create_layer(
            "dense", lambda: K.layers.Dense(2, kernel_initializer="ones", name="dd"))
        return tf.matmul(x, w) + v + dense(x)


x = tf.placeholder(tf.float32, [None, 3])
block = Block(name="lay")
y1 = block(x)
result["after_one"] = [v.name for v in tf.global_variables()]
y2 = block(x)
result["after_two"] = [v.name for v in tf.global_variables()]
result["trainable"] = [v.name for v in tf.trainable_variables()]
result["loss_count"] = len(block.losses)
result["collection"] = len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
with tf.variable_scope("outer"):
    Block(name="other")(x)
third = Block(name="third")
with tf.variable_scope("w_scope", reuse=True):
    try:
        third(x)
    except ValueError as e:
        result["reuse_error"] = str(e).split(",")[0]
result["all"] = [v.name for v in tf.global_variables()]
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    result["values"] = s.run([y1, y2, block.losses[0]], {x: np.ones((1, 3))})
result["plain"] = K.utils.get_or_create_layer("x", lambda: 5)
try:
    K.utils.track_tf1_style_variables(lambda self: None)(3)
except ValueError as e:
    result["not_a_layer"] = str(e)
"""


@pytest.mark.tf
@requires_tf
def test_track_tf1_style_variables_matches_tensorflow():
    expected = theirs(SHIM)
    tf.reset_default_graph()
    assert_same(ours(SHIM), expected)


def test_track_tf1_style_variables_by_hand():
    tf.reset_default_graph()
    out = ours(SHIM)
    assert (
        out["after_one"] == out["after_two"] == ["w:0", "s/v:0", "lay/dd/kernel:0", "lay/dd/bias:0"]
    )
    assert out["loss_count"] == 2 and out["collection"] == 0  # (w, the nested Dense)
    assert out["values"][0] == [[6.5, 6.5]]
