"""`clipnorm`, `clipvalue` and `global_clipnorm` of the Keras optimizers against tf_keras:
in a TF1 graph (Keras 2's legacy optimizers: each clipping in turn, in the optimizer's
name scope) through `apply_gradients`, `get_updates` and `model.fit`, with dense and
IndexedSlices gradients; eagerly and in a tf.function (the newer optimizers: one
clipping); configs, `from_config` and the argument errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf, run_tf

GRAPH_STEPS = """
result = {}
NAMES = ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Ftrl", "Nadam"]
CLIPS = [{"clipnorm": 0.5}, {"clipvalue": 0.3}, {"global_clipnorm": 0.7},
         {"clipnorm": 0.5, "clipvalue": 0.3}, {"global_clipnorm": 0.7, "clipvalue": 0.1}]
for name in NAMES:
    for ci, clip in enumerate(CLIPS):
        for how in ("apply", "updates"):
            g = tf.Graph()
            with g.as_default():
                w = tf.Variable([1.0, -2.0, 3.0], name="w", use_resource=True)
                e = tf.Variable([[0.5, 1.0], [2.0, -1.0], [0.1, 0.2], [3.0, 4.0]], name="e",
                                use_resource=True)
                rows = tf.gather(e, [0, 2, 0, 3])
                loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0]) + tf.reduce_sum(rows * rows * 1.5)
                opt = getattr(tf.keras.optimizers, name)(0.1, **clip)
                if how == "apply":
                    grads = tf.gradients(loss, [w, e])
                    step = opt.apply_gradients(zip(grads, [w, e]))
                else:
                    step = opt.get_updates(loss, [w, e])
                clips = sorted(op.name for op in g.get_operations() if "clip" in op.name.lower())
                with tf.Session() as s:
                    s.run(tf.global_variables_initializer())
                    for _ in range(3):
                        s.run(step)
                    key = f"{name}/{ci}/{how}"
                    result[key] = {"w": s.run(w).tolist(), "e": s.run(e).tolist()}
                    if name == "SGD":
                        result[key]["clips"] = clips
"""

FIT_AND_CONFIG = """
K = tf.keras
result = {}
X = np.array([[1, 2, 1], [3, 0, 2], [2, 2, 3], [0, 1, 1]], dtype=np.int32)
Y = np.array([[1.0], [-2.0], [0.5], [3.0]], dtype=np.float32)
for name, clip in [("SGD", {"clipnorm": 0.2}), ("Adam", {"clipvalue": 0.05}),
                   ("RMSprop", {"global_clipnorm": 0.3}),
                   ("Adagrad", {"clipvalue": 0.1, "clipnorm": 0.1})]:
    g = tf.Graph()
    with g.as_default():
        model = K.Sequential([K.layers.Embedding(4, 2, input_length=3), K.layers.Flatten(),
                              K.layers.Dense(1)])
        model.build((None, 3))
        model.set_weights([np.arange(8, dtype=np.float32).reshape(4, 2) / 4 - 1,
                           np.linspace(-1, 1, 6, dtype=np.float32).reshape(6, 1),
                           np.array([0.1], np.float32)])
        model.compile(optimizer=getattr(K.optimizers.legacy, name)(0.1, **clip), loss="mse")
        model.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)
        result[f"fit/{name}"] = [w.tolist() for w in model.get_weights()]
configs = {}
for name in ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Ftrl", "Nadam"]:
    for clip in [{"clipnorm": 1.5}, {"clipvalue": 0.5, "global_clipnorm": 2.0}, {}]:
        opt = getattr(K.optimizers, name)(**clip)
        cfg = opt.get_config()
        back = type(opt).from_config(cfg)
        configs[f"{name}/{sorted(clip)}"] = [list(cfg), [cfg.get(k) for k in sorted(clip)],
                                            back.get_config() == cfg,
                                            [opt.clipnorm, opt.clipvalue, opt.global_clipnorm]]
    legacy = getattr(K.optimizers.legacy, name)(clipnorm=1.0).get_config()
    configs[f"{name}/legacy"] = list(legacy)
result["configs"] = configs
errors = {}
for kw in [{"clipnorm": 1.0, "global_clipnorm": 2.0}, {"clipnorm": -1.0},
           {"clipvalue": -0.5}, {"global_clipnorm": -2}, {"decay": -0.1}]:
    try:
        K.optimizers.Adam(**kw)
        errors[str(sorted(kw))] = None
    except Exception as ex:
        errors[str(sorted(kw))] = [type(ex).__name__, str(ex)]
result["errors"] = errors
s = K.optimizers.serialize(K.optimizers.SGD(0.2, clipvalue=0.25))
result["serialize"] = [s["config"].get("clipvalue"), K.optimizers.deserialize(s).clipvalue]
"""

EAGER_STEPS = """
result = {}
for name in ["SGD", "Adam", "Adagrad"]:
    for clip in [{"clipnorm": 0.5}, {"clipvalue": 0.3}, {"global_clipnorm": 0.7},
                 {"clipnorm": 0.5, "clipvalue": 0.3}, {"global_clipnorm": 0.7, "clipvalue": 0.1}]:
        w = tf.Variable([1.0, -2.0, 3.0])
        e = tf.Variable([[0.5, 1.0], [2.0, -1.0], [0.1, 0.2], [3.0, 4.0]])
        opt = getattr(tf.keras.optimizers, name)(0.1, **clip)
        @tf.function
        def fstep(opt=opt, w=w, e=e):
            with tf.GradientTape() as tape:
                rows = tf.gather(e, [0, 2, 0, 3])
                loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0]) + tf.reduce_sum(rows * rows * 1.5)
            opt.apply_gradients(zip(tape.gradient(loss, [w, e]), [w, e]))
        for i in range(3):
            if i < 2:
                with tf.GradientTape() as tape:
                    rows = tf.gather(e, [0, 2, 0, 3])
                    loss = tf.reduce_sum(w * w * [1.0, 2.0, 3.0]) + tf.reduce_sum(rows * rows * 1.5)
                opt.apply_gradients(zip(tape.gradient(loss, [w, e]), [w, e]))
            else:
                fstep()
        result[f"{name}/{sorted(clip)}"] = [w.numpy().tolist(), e.numpy().tolist()]
errs = {}
for kw in [{"clipnorm": 1.0, "global_clipnorm": 2.0}, {"clipnorm": -1.0}]:
    try:
        tf.keras.optimizers.SGD(**kw)
        errs[str(kw)] = None
    except Exception as ex:
        errs[str(kw)] = [type(ex).__name__, str(ex)]
result["errors"] = errs
print(json.dumps(result))
"""


@pytest.mark.tf
@requires_tf
def test_graph_steps_match_tf_keras():
    """Every optimizer, each clipping and two at once, via apply_gradients and
    get_updates, a sparse (gathered, with a repeated row) and a dense gradient; and
    the clip ops SGD builds (`SGD/clip_by_norm/...`)."""
    mine = ours(GRAPH_STEPS)
    assert len(mine) == 80
    assert_same(mine, theirs(GRAPH_STEPS))


@pytest.mark.tf
@requires_tf
def test_fit_configs_and_errors_match_tf_keras():
    mine = ours(FIT_AND_CONFIG)
    assert mine["errors"]["['clipnorm', 'global_clipnorm']"][0] == "ValueError"
    assert_same(mine, theirs(FIT_AND_CONFIG))


def _ours_eager() -> dict:
    import contextlib
    import io

    tf.enable_v2_behavior()
    try:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(EAGER_STEPS, {"tf": tf, "json": json})
    finally:
        tf.disable_v2_behavior()
    return json.loads(printed.getvalue().strip().splitlines()[-1])


@pytest.mark.tf
@requires_tf
def test_eager_and_tf_function_match_tf_keras():
    """TF 2's newer optimizers clip one way only (clipnorm, else global_clipnorm, else
    clipvalue) and do not reject negative values."""
    out = run_tf("import json\n" + EAGER_STEPS, v1=False)
    assert_same(_ours_eager(), json.loads(out.strip().splitlines()[-1]))


def test_clipnorm_by_hand():
    """One SGD step with clipnorm: the gradient scaled to norm 1."""
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable([3.0, 4.0], use_resource=True)
        opt = tf.keras.optimizers.SGD(1.0, clipnorm=1.0)
        step = opt.apply_gradients([(tf.constant([6.0, 8.0]), w)])
        with tf.compat.v1.Session() as s:
            s.run(tf.compat.v1.global_variables_initializer())
            s.run(step)
            np.testing.assert_allclose(s.run(w), [2.4, 3.2], rtol=1e-6)


LOSS_SCALED = """
K = tf.keras
result = {}
v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
opt = K.mixed_precision.LossScaleOptimizer(K.optimizers.SGD(0.1, clipnorm=0.5), initial_scale=8.0)
opt.clipvalue = 0.4
loss = tf.reduce_sum(v * v * 3.0)
grads = opt.get_unscaled_gradients(tf.gradients(opt.get_scaled_loss(loss), [v]))
train = opt.apply_gradients(zip(grads, [v]))
result["clip"] = [opt.clipnorm, opt.clipvalue, opt.inner_optimizer.clipvalue]
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for _ in range(3):
        s.run(train)
    result["v"] = s.run(v).tolist()
"""


@pytest.mark.tf
@requires_tf
def test_loss_scale_optimizer_clips_as_its_inner_optimizer():
    """The wrapper reads and sets the inner optimizer's clipping, which clips the
    unscaled gradients."""
    assert_same(ours(LOSS_SCALED), theirs(LOSS_SCALED))


MINIMIZE = """
result = {}
for name in ["SGD", "Adam", "Ftrl"]:
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable([1.0, -2.0, 3.0], name="w", use_resource=True)
        opt = getattr(tf.keras.optimizers.legacy, name)(0.1, global_clipnorm=0.8, clipvalue=2.0)
        step = opt.minimize(lambda: tf.reduce_sum(w * w * [1.0, 2.0, 3.0]), [w])
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            for _ in range(3):
                s.run(step)
            result[name] = s.run(w).tolist()
"""


@pytest.mark.tf
@requires_tf
def test_graph_minimize_matches_tf_keras():
    assert_same(ours(MINIMIZE), theirs(MINIMIZE))
