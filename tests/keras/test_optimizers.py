"""tf.keras.optimizers (Keras 2 as in TF 2.21): trajectories equal TF's, with a tape,
inside tf.function, and in a graph-mode session."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

PROGRAM = """
out = {}
for name, make in [("SGD", lambda: tf.keras.optimizers.SGD(0.1)),
                   ("SGDm", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9)),
                   ("SGDn", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
                   ("Adam", lambda: tf.keras.optimizers.Adam(0.1)),
                   ("RMSprop", lambda: tf.keras.optimizers.RMSprop(0.1)),
                   ("RMSpropc", lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5,
                                                                    centered=True)),
                   ("Adagrad", lambda: tf.keras.optimizers.Adagrad(0.1))]:
    w = tf.Variable([1.0, -2.0, 3.0])
    opt = make()
    for i in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0])
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
    out[name] = [w.numpy().tolist(), int(opt.iterations.numpy())]
v = tf.Variable(2.0)
opt = tf.keras.optimizers.Adam(0.5)
opt.minimize(lambda: v * v, var_list=[v])
out["minimize"] = float(v.numpy())
out["names"] = [x.name for x in opt.variables]
result = out
"""


def _ours():
    tf.enable_v2_behavior()
    scope = {"tf": tf}
    exec(PROGRAM, scope)
    return scope["result"]


def test_sgd_by_hand():
    out = _ours()
    w = np.array([1.0, -2.0, 3.0])
    for _ in range(3):
        w = w - 0.1 * 2 * w * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(out["SGD"][0], w, rtol=1e-6)
    assert out["SGD"][1] == 3
    assert out["names"] == ["iteration:0", "Adam/m/Variable:0", "Adam/v/Variable:0"]


@pytest.mark.tf
@requires_tf
def test_trajectories_match_tensorflow():
    theirs = json.loads(run_tf(PROGRAM + "print(json.dumps(result))\n", v1=False))
    ours = _ours()
    assert ours.keys() == theirs.keys()
    for key in ours:
        if key == "names":
            assert ours[key] == theirs[key]
        elif key == "minimize":
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5)
        else:
            np.testing.assert_allclose(ours[key][0], theirs[key][0], rtol=1e-5, atol=1e-6)
            assert ours[key][1] == theirs[key][1]


def test_in_a_tf_function_equals_eager():
    tf.enable_v2_behavior()
    results = []
    for wrap in (lambda f: f, tf.function):
        w = tf.Variable([1.0, -2.0])
        opt = tf.keras.optimizers.Adam(0.1)

        def step(w=w, opt=opt):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(w * w)
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
            return loss

        run = wrap(step)
        for _ in range(3):
            run()
        results.append(w.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_graph_mode_minimize_in_a_session():
    w = tf.Variable([1.0, -2.0], use_resource=True)
    opt = tf.keras.optimizers.SGD(0.1)
    train = opt.minimize(tf.reduce_sum(w * w), var_list=[w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([v.initializer for v in opt.variables])
        sess.run(train)
        assert np.allclose(sess.run(w), [0.8, -1.6])
        assert sess.run(opt.iterations) == 1


GRAPH_PROGRAM = """
result = {}
for name, make in [("SGD", lambda: tf.keras.optimizers.SGD(0.1)),
                   ("SGDm", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9)),
                   ("SGDn", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
                   ("Adam", lambda: tf.keras.optimizers.Adam(0.1)),
                   ("RMSprop", lambda: tf.keras.optimizers.RMSprop(0.1)),
                   ("RMSpropm", lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5)),
                   ("RMSpropc", lambda: tf.keras.optimizers.RMSprop(0.1, centered=True)),
                   ("RMSpropmc", lambda: tf.keras.optimizers.RMSprop(0.1, momentum=0.5,
                                                                     centered=True)),
                   ("Adagrad", lambda: tf.keras.optimizers.Adagrad(0.1)),
                   ("SGD_lr", lambda: tf.keras.optimizers.SGD(lr=0.2)),
                   ("Adam_decay", lambda: tf.keras.optimizers.Adam(0.1, decay=0.5))]:
    with tf.Graph().as_default():
        w = tf.Variable([1.0, -2.0, 3.0], use_resource=True)
        loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0])
        opt = make()
        step = opt.apply_gradients(zip(tf.gradients(loss, [w]), [w]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(step)
            result[name] = sess.run(w).tolist()
"""


def test_graph_mode_slots_feed_the_update():
    """In a session, the slot updates (momentum, Adam's moments) run before the
    variable's update reads them."""
    from tests.keras.dual import ours

    out = ours(GRAPH_PROGRAM)
    w, m = np.array([1.0, -2.0, 3.0]), np.zeros(3)
    for _ in range(3):
        m = 0.9 * m - 0.1 * 2 * w * [1.0, 2.0, 3.0]
        w = w + m
    np.testing.assert_allclose(out["SGDm"], w, rtol=1e-5)
    w = np.array([1.0, -2.0, 3.0])
    for _ in range(3):
        w = w - 0.2 * 2 * w * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(out["SGD_lr"], w, rtol=1e-5)


def test_unknown_optimizer_argument():
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer"):
        tf.keras.optimizers.SGD(0.1, bogus=1)


@pytest.mark.tf
@requires_tf
def test_graph_mode_trajectories_match_tensorflow():
    """TF1 graph mode: Keras 2's legacy optimizers (RMSprop without momentum and Adagrad
    add epsilon after the square root)."""
    from tests.keras.dual import assert_same, ours, theirs

    expected = theirs(GRAPH_PROGRAM)
    assert_same(ours(GRAPH_PROGRAM), expected)


FUSED_PROGRAM = """
import collections
O = tf.keras.optimizers
result = {}
for name, make in [
    ("adam", lambda: "adam"),
    ("sgd", lambda: O.SGD(0.1)),
    ("sgd_momentum", lambda: O.SGD(0.1, momentum=0.9)),
    ("sgd_nesterov", lambda: O.SGD(0.1, momentum=0.9, nesterov=True)),
    ("rmsprop_momentum", lambda: O.RMSprop(0.01, momentum=0.5)),
    ("rmsprop_centered_momentum", lambda: O.RMSprop(0.01, momentum=0.5, centered=True)),
    ("adagrad", lambda: O.Adagrad(0.1)),
    ("adadelta", lambda: O.Adadelta(1.0)),
    ("adamax", lambda: O.Adamax(0.01)),
    ("ftrl", lambda: O.Ftrl(0.1, l1_regularization_strength=0.01, beta=0.1)),
    ("ftrl_shrinkage", lambda: O.Ftrl(0.1, l2_shrinkage_regularization_strength=0.1)),
]:
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        model = tf.keras.Sequential([
            tf.keras.layers.Dense(5, activation="relu", input_shape=(4,)),
            tf.keras.layers.Dense(3)])
        model.compile(optimizer=make(), loss="mse")
        x = np.random.RandomState(0).rand(64, 4).astype(np.float32)
        y = np.random.RandomState(1).rand(64, 3).astype(np.float32)
        model.set_weights([np.full(w.shape, 0.1 * (i + 1), np.float32)
                           for i, w in enumerate(model.get_weights())])
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        kinds = collections.Counter(op.type for op in tf.get_default_graph().get_operations())
        result[name] = {
            "apply": {k: n for k, n in kinds.items() if "Apply" in k},
            "weights": [w.tolist() for w in model.get_weights()],
        }
"""

FUSED_KERNELS = {
    "adam": "ResourceApplyAdam",
    "sgd": "ResourceApplyGradientDescent",
    "sgd_momentum": "ResourceApplyKerasMomentum",
    "sgd_nesterov": "ResourceApplyKerasMomentum",
    "rmsprop_momentum": "ResourceApplyRMSProp",
    "rmsprop_centered_momentum": "ResourceApplyCenteredRMSProp",
    "adagrad": "ResourceApplyAdagradV2",
    "adadelta": "ResourceApplyAdadelta",
    "adamax": "ResourceApplyAdaMax",
    "ftrl": "ResourceApplyFtrl",
    "ftrl_shrinkage": "ResourceApplyFtrlV2",
}


def test_graph_mode_updates_are_fused_kernels_as_tf_keras():
    """In a TF1 graph, Keras 2's legacy optimizers: one fused ResourceApply* per variable
    (TF's kernels, its numbers); RMSprop without momentum stays elementwise, as there."""
    from tests.keras.dual import assert_same, ours, theirs

    got = ours(FUSED_PROGRAM)
    for name, kernel in FUSED_KERNELS.items():
        assert got[name]["apply"] == {kernel: 4}, name
    expected = theirs(FUSED_PROGRAM)
    if expected is not None:
        assert_same(got, expected, rtol=1e-6, atol=1e-7)


NEW_GRAPH_PROGRAM = """
O = tf.keras.optimizers
result = {}
makers = [
    ("Adadelta", lambda: O.Adadelta(0.5)),
    ("Adadelta_decay", lambda: O.Adadelta(0.5, rho=0.8, epsilon=1e-3, decay=0.1)),
    ("Adamax", lambda: O.Adamax(0.1)),
    ("Adamax_b", lambda: O.Adamax(0.2, beta_1=0.5, beta_2=0.9)),
    ("Ftrl", lambda: O.Ftrl(0.1)),
    ("Ftrl_all", lambda: O.Ftrl(0.1, learning_rate_power=-0.3, l1_regularization_strength=0.01,
                                l2_regularization_strength=0.1, beta=0.2,
                                l2_shrinkage_regularization_strength=0.05)),
    ("Ftrl_l1", lambda: O.Ftrl(0.3, l1_regularization_strength=2.0)),
    ("Nadam", lambda: O.Nadam(0.1)),
    ("Nadam_sd", lambda: O.Nadam(0.05, beta_1=0.8, schedule_decay=0.1)),
    ("Adam_ams", lambda: O.Adam(0.1, amsgrad=True)),
    ("legacy_Adamax", lambda: O.legacy.Adamax(0.1)),
    ("sched", lambda: O.Adamax(O.schedules.ExponentialDecay(0.1, 2, 0.5))),
]
for name, make in makers:
    with tf.Graph().as_default():
        w = tf.Variable([1.0, -2.0, 3.0], use_resource=True, name="w")
        b = tf.Variable(0.5, use_resource=True, name="b")
        loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0]) + b * b * b
        opt = make()
        if name.startswith("Ftrl"):
            step = opt.get_updates(loss, [w, b])[0]
        else:
            step = opt.apply_gradients(zip(tf.gradients(loss, [w, b]), [w, b]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(4):
                sess.run(step)
            result[name] = {
                "w": sess.run(w), "b": sess.run(b), "iter": sess.run(opt.iterations),
                "variables": [v.name for v in tf.global_variables()],
                "config": O.serialize(opt),
            }
            copy = O.deserialize(O.serialize(opt))
            result[name]["copy"] = [type(copy).__name__, copy.get_config()]
"""


@pytest.mark.tf
@requires_tf
def test_more_optimizers_in_a_graph_match_tf_keras():
    """Adadelta, Adamax, Ftrl and Nadam as Keras 2's legacy optimizers in TF1 graph mode:
    trajectories, variable names (hyperparameters, slots, Nadam's momentum_cache) and
    configs equal tf_keras's."""
    from tests.keras.dual import assert_same, ours, theirs

    assert_same(ours(NEW_GRAPH_PROGRAM), theirs(NEW_GRAPH_PROGRAM))


EAGER_PROGRAM = """
out = {}
for name, make in [("Adadelta", lambda: tf.keras.optimizers.Adadelta(0.5)),
                   ("Adamax", lambda: tf.keras.optimizers.Adamax(0.1)),
                   ("Ftrl", lambda: tf.keras.optimizers.Ftrl(0.1, l1_regularization_strength=0.01,
                                                             beta=0.2)),
                   ("Nadam", lambda: tf.keras.optimizers.Nadam(0.1)),
                   ("Nadam2", lambda: tf.keras.optimizers.Nadam(0.05, beta_1=0.8, beta_2=0.9))]:
    w = tf.Variable([1.0, -2.0, 3.0])
    opt = make()
    for i in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0])
        opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
    out[name] = [w.numpy().tolist(), [v.name for v in opt.variables]]
result = out
"""


@pytest.mark.tf
@requires_tf
def test_more_optimizers_eagerly_match_tf_keras():
    from tests.keras.dual import assert_same

    theirs = json.loads(run_tf(EAGER_PROGRAM + "print(json.dumps(result))\n", v1=False))
    tf.enable_v2_behavior()
    scope = {"tf": tf}
    exec(EAGER_PROGRAM, scope)
    assert_same(scope["result"], theirs)


ERRORS_PROGRAM = """
O = tf.keras.optimizers
result = {}
for key, make in [
    ("ftrl_power", lambda: O.Ftrl(learning_rate_power=0.5)),
    ("ftrl_l1", lambda: O.Ftrl(l1_regularization_strength=-1.0)),
    ("ftrl_acc", lambda: O.Ftrl(initial_accumulator_value=-1.0)),
    ("nadam_schedule", lambda: O.Nadam(O.schedules.PolynomialDecay(0.1, 3))),
    ("unknown", lambda: O.deserialize({"class_name": "Nope", "config": {}})),
    ("no_grad", lambda: O.SGD().get_gradients(tf.constant(1.0), [tf.Variable(1.0)])),
]:
    try:
        make()
        result[key] = "no error"
    except Exception as e:
        result[key] = [type(e).__name__, str(e).split(".")[0]]
with tf.Graph().as_default():
    result["get"] = [type(O.get(n)).__name__ for n in ["adadelta", "Adamax", "ftrl", "nadam"]]
    result["dict"] = O.get({"class_name": "Nadam", "config": {"beta_1": 0.7}}).get_config()
    result["legacy_same"] = O.legacy.Adam is O.Adam and O.legacy.Optimizer is O.Optimizer
"""


@pytest.mark.tf
@requires_tf
def test_optimizer_errors_and_lookup_match_tf_keras():
    from tests.keras.dual import assert_same, ours, theirs

    assert_same(ours(ERRORS_PROGRAM), theirs(ERRORS_PROGRAM))


FIT_PROGRAM = """
rng = np.random.RandomState(3)
K = tf.keras
xv = rng.standard_normal((8, 3)).astype("float32")
yv = rng.standard_normal((8, 2)).astype("float32")
w0 = [rng.standard_normal((3, 2)).astype("float32"), rng.standard_normal(2).astype("float32")]
result = {}
for name, make in [("adamax", lambda: "adamax"), ("adadelta", lambda: K.optimizers.Adadelta(1.0)),
                   ("ftrl", lambda: K.optimizers.Ftrl(0.2, l1_regularization_strength=0.01)),
                   ("nadam", lambda: K.optimizers.Nadam(0.05))]:
    model = K.Sequential([K.layers.Dense(2, input_shape=(3,))])
    model.set_weights(w0)
    model.compile(make(), "mse")
    hist = model.fit(xv, yv, epochs=3, batch_size=4, verbose=0, shuffle=False)
    result[name] = [model.get_weights(), hist.history["loss"],
                    [v.name.split("/", 1)[1] for v in model.optimizer.variables()]]
"""


@pytest.mark.tf
@requires_tf
def test_fit_with_the_new_optimizers_matches_tf_keras():
    """compile/fit in TF1 graph mode with Adamax (by name), Adadelta, Ftrl and Nadam."""
    from tests.keras.dual import assert_same, ours, theirs

    assert_same(ours(FIT_PROGRAM), theirs(FIT_PROGRAM))


SPARSE_PROGRAM = """
result = {}
for name in ["Adamax", "Adadelta", "Ftrl", "Nadam", "Ftrl_s"]:
    with tf.Graph().as_default():
        emb = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 10.0,
                          use_resource=True, name="emb")
        ids = tf.placeholder(tf.int32, [None])
        loss = tf.reduce_sum(tf.gather(emb, ids) ** 2)
        O = tf.keras.optimizers
        opt = {"Adamax": lambda: O.Adamax(0.1), "Adadelta": lambda: O.Adadelta(1.0),
               "Ftrl": lambda: O.Ftrl(0.1), "Nadam": lambda: O.Nadam(0.1),
               "Ftrl_s": lambda: O.Ftrl(0.1, l2_shrinkage_regularization_strength=0.1)}[name]()
        step = opt.get_updates(loss, [emb])[0]
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            for batch in [[0, 2, 0], [1, 2], [3, 3, 0]]:
                s.run(step, {ids: batch})
            result[name] = s.run(emb)
"""


@pytest.mark.tf
@requires_tf
def test_sparse_gradients_update_only_their_rows_as_tf_keras():
    """Embedding-style (IndexedSlices) gradients: Adamax, Adadelta and Ftrl update only
    the rows a batch touches, Nadam decays its moments everywhere (Keras 2's sparse
    updates); batches touch different rows."""
    from tests.keras.dual import assert_same, ours, theirs

    assert_same(ours(SPARSE_PROGRAM), theirs(SPARSE_PROGRAM))


EAGER_SPARSE_PROGRAM = """
out = {}
O = tf.keras.optimizers
for name, make in [("Adadelta", lambda: O.Adadelta(1.0)), ("Adamax", lambda: O.Adamax(0.1)),
                   ("Ftrl", lambda: O.Ftrl(0.1)), ("Nadam", lambda: O.Nadam(0.1))]:
    emb = tf.Variable([[0.0, 0.1], [0.2, 0.3], [0.4, 0.5]])
    opt = make()
    for batch in [[0, 2, 0], [1], [2, 2]]:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.gather(emb, batch) ** 2)
        opt.apply_gradients(zip(tape.gradient(loss, [emb]), [emb]))
    out[name] = emb.numpy().tolist()
result = out
"""


@pytest.mark.tf
@requires_tf
def test_sparse_gradients_eagerly_match_tf_keras():
    """Eagerly (Keras 2's newer optimizers) sparse gradients act as dense ones."""
    from tests.keras.dual import assert_same

    theirs = json.loads(run_tf(EAGER_SPARSE_PROGRAM + "print(json.dumps(result))\n", v1=False))
    tf.enable_v2_behavior()
    scope = {"tf": tf}
    exec(EAGER_SPARSE_PROGRAM, scope)
    assert_same(scope["result"], theirs)


def test_nadam_in_a_tf_function_equals_eager():
    tf.enable_v2_behavior()
    results = []
    for wrap in (lambda f: f, tf.function):
        w = tf.Variable([1.0, -2.0])
        opt = tf.keras.optimizers.Nadam(0.1)

        def step(w=w, opt=opt):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(w * w)
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))

        run = wrap(step)
        for _ in range(3):
            run()
        results.append(w.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


SLOTS_PROGRAM = """
result = {}
for name, make in [("Adamax", lambda: tf.keras.optimizers.Adamax(0.1)),
                   ("Nadam", lambda: tf.keras.optimizers.Nadam(0.1)),
                   ("Ftrl", lambda: tf.keras.optimizers.Ftrl(0.1))]:
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], use_resource=True, name="w")
        b = tf.Variable(0.5, use_resource=True, name="b")
        opt = make()
        step = opt.get_updates(tf.reduce_sum(w * w) + b * b, [w, b])
        names = opt.get_slot_names()
        out = {"names": names, "slot": opt.get_slot(w, names[-1]).name,
               "weights": [v.name for v in opt.weights]}
        try:
            opt.get_slot(w, "zz")
        except KeyError as e:
            out["missing"] = str(e)
        with tf.keras.backend.get_session() as s:
            s.run(tf.global_variables_initializer())
            s.run(step)
            values = opt.get_weights()
            out["values"] = values
            opt.set_weights([v * 0 for v in values])
            out["zeroed"] = opt.get_weights()
        result[name] = out
"""


@pytest.mark.tf
@requires_tf
def test_slots_and_weights_match_tf_keras():
    """get_slot_names/get_slot/weights/get_weights/set_weights of Keras 2's legacy
    optimizers in a TF1 graph."""
    from tests.keras.dual import assert_same, ours, theirs

    assert_same(ours(SLOTS_PROGRAM), theirs(SLOTS_PROGRAM))
