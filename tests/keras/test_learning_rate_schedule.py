"""`tf.keras.experimental.CosineDecay` / `CosineDecayRestarts` (Keras's learning-rate
schedules) against tf_keras: rates over the steps, output names, configs."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

PROGRAM = """
E = tf.keras.experimental
step = tf.placeholder(tf.int64, ())
schedules = {
    "cos": E.CosineDecay(0.1, 20),
    "cos_alpha": E.CosineDecay(0.5, 7, alpha=0.1, name="cd"),
    "warm": E.CosineDecay(0.0, 10, warmup_target=0.2, warmup_steps=5),
    "sgdr": E.CosineDecayRestarts(0.1, 4),
    "sgdr_t1": E.CosineDecayRestarts(1.0, 5, t_mul=1.0, m_mul=0.5, alpha=0.05),
    "sgdr_name": E.CosineDecayRestarts(0.3, 3, t_mul=3.0, m_mul=0.9, name="restarts"),
}
result = {}
with tf.Session() as s:
    for key, sched in schedules.items():
        out = sched(step)
        result[key] = {
            "name": out.name,
            "values": [float(s.run(out, {step: i})) for i in range(0, 40, 3)],
            "config": sched.get_config(),
        }
        result[key + "_copy"] = type(sched).from_config(sched.get_config()).get_config()
"""


@pytest.mark.tf
@requires_tf
def test_cosine_schedules_match_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM), rtol=1e-6, atol=1e-7)


def test_base_schedule_must_be_overridden():
    from tfgraph.keras.learning_rate_schedule import LearningRateSchedule

    with pytest.raises(NotImplementedError, match="must override `__call__"):
        LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError, match="must override `get_config"):
        LearningRateSchedule().get_config()


def test_model_to_estimator_is_unavailable_as_in_tf_2_21():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(NotImplementedError, match="model_to_estimator function not available"):
        tf.keras.estimator.model_to_estimator(keras_model=model)


FIT = """
K = tf.keras
rng = np.random.RandomState(3)
xv = rng.rand(12, 3).astype("float32")
yv = rng.rand(12, 1).astype("float32")
result = {}
for key, opt in [
    ("sgd", K.optimizers.SGD(K.experimental.CosineDecay(0.2, 6), momentum=0.5)),
    ("adam", K.optimizers.Adam(K.experimental.CosineDecayRestarts(0.05, 2))),
]:
    tf.keras.backend.clear_session()
    inp = K.Input((3,))
    model = K.Model(inp, K.layers.Dense(1, kernel_initializer="ones")(inp))
    model.compile(opt, "mse")
    hist = model.fit(xv, yv, batch_size=4, epochs=3, verbose=0, shuffle=False)
    result[key] = [hist.history["loss"], model.get_weights(),
                   sorted(v.name for v in tf.global_variables() if "/" in v.name
                          and not v.name.startswith("dense")),
                   opt.get_config()["learning_rate"]]
"""


@pytest.mark.tf
@requires_tf
def test_keras_optimizers_take_a_schedule():
    assert_same(ours(FIT), theirs(FIT), rtol=1e-5, atol=1e-6)


SCHEDULES_PROGRAM = """
S = tf.keras.optimizers.schedules
step = tf.placeholder(tf.int64, ())
fstep = tf.placeholder(tf.float32, ())
schedules = {
    "exp": S.ExponentialDecay(0.1, 3, 0.5),
    "exp_stair": S.ExponentialDecay(0.1, 3, 0.5, staircase=True, name="ed"),
    "inv": S.InverseTimeDecay(0.1, 2, 0.5),
    "inv_stair": S.InverseTimeDecay(0.1, 2, 0.5, staircase=True),
    "pc": S.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
    "pc_name": S.PiecewiseConstantDecay([3], [0.3, 0.2], name="pcd"),
    "poly": S.PolynomialDecay(0.1, 4, 0.01),
    "poly_cycle": S.PolynomialDecay(0.1, 4, 0.01, power=2.0, cycle=True),
    "cos": S.CosineDecay(0.1, 6),
    "sgdr": S.CosineDecayRestarts(0.1, 4),
}
result = {}
with tf.Session() as s:
    for key, sched in schedules.items():
        out, fout = sched(step), sched(fstep)
        result[key] = {
            "name": out.name,
            "op": out.op.type,
            "values": [float(s.run(out, {step: i})) for i in range(0, 12)],
            "fvalues": [float(s.run(fout, {fstep: i + 0.5})) for i in range(0, 12)],
            "serialized": S.serialize(sched),
            "copy": S.serialize(S.deserialize(S.serialize(sched))),
        }
for key, make in [("unknown", lambda: S.deserialize({"class_name": "Nope", "config": {}})),
                  ("pc_lengths", lambda: S.PiecewiseConstantDecay([1, 2], [1.0]))]:
    try:
        make()
    except ValueError as e:
        result[key] = str(e).split(".")[0]
with tf.Graph().as_default():
    w = tf.Variable([1.0, -2.0], use_resource=True)
    opt = tf.keras.optimizers.SGD(S.PiecewiseConstantDecay([1, 2], [0.1, 0.05, 0.01]))
    train = opt.get_updates(tf.reduce_sum(w * w), [w])[0]
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        result["sgd"] = []
        for _ in range(4):
            s.run(train)
            result["sgd"].append(s.run(w))
"""


@pytest.mark.tf
@requires_tf
def test_keras_optimizers_schedules_match_tf_keras():
    """`tf.keras.optimizers.schedules`: rates for int and float steps, output names and
    op types, serialize/deserialize round trips, errors, and a schedule driving SGD."""
    assert_same(ours(SCHEDULES_PROGRAM), theirs(SCHEDULES_PROGRAM), rtol=1e-6, atol=1e-7)
