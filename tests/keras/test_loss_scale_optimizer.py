"""`tf.keras.mixed_precision.LossScaleOptimizer` in a graph against tf_keras: scaled
loss and unscaled gradients, dynamic scale growth and halving, skipped steps on
non-finite gradients, the fixed scale, and training a model through `fit`."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.keras.dual import assert_same, ours, theirs
from tests.tfrun import requires_tf

K = tf.keras

PROGRAM = """
K = tf.keras
result = {}
v = tf.Variable([1.0, 2.0], name="v", use_resource=True)
opt = K.mixed_precision.LossScaleOptimizer(K.optimizers.SGD(0.1), initial_scale=8.0,
                                           dynamic_growth_steps=2)
x = tf.placeholder(tf.float32, [])
loss = tf.reduce_sum(v * v * x)
scaled = opt.get_scaled_loss(loss)
grads = opt.get_unscaled_gradients(tf.gradients(scaled, [v]))
train = opt.apply_gradients(zip(grads, [v]))
result["props"] = [opt.dynamic, opt.initial_scale, opt.dynamic_growth_steps]
result["scale_vars"] = sorted(w.name for w in tf.global_variables()
                              if "loss_scale" in w.name or "good_steps" in w.name)
steps = []
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    for xv in [1.0, 1.0, 1.0, float("inf"), 2.0, float("nan"), 1.0]:
        sv, gv = s.run([scaled, grads[0]], {x: xv})
        s.run(train, {x: xv})
        steps.append([float(sv), gv, s.run([v, opt.loss_scale, opt.dynamic_counter,
                                              opt.iterations])])
result["steps"] = json.loads(json.dumps(steps, default=_plain).replace("NaN", "null")
                             .replace("Infinity", "null"))

w = tf.Variable([3.0], name="w", use_resource=True)
fixed = K.mixed_precision.LossScaleOptimizer(K.optimizers.SGD(0.5), dynamic=False,
                                             initial_scale=4.0)
fl = tf.reduce_sum(w * w)
ftrain = fixed.apply_gradients(zip(fixed.get_unscaled_gradients(
    tf.gradients(fixed.get_scaled_loss(fl), [w])), [w]))
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    s.run(ftrain)
    result["fixed"] = [s.run(w), s.run(fixed.loss_scale), fixed.dynamic,
                       fixed.dynamic_counter is None]

rng = np.random.RandomState(0)
inp = K.Input((2,))
model = K.Model(inp, K.layers.Dense(1, kernel_initializer="ones")(inp))
model.compile(K.mixed_precision.LossScaleOptimizer(K.optimizers.SGD(0.1), initial_scale=4.0,
                                                   dynamic_growth_steps=3), "mse")
hist = model.fit(rng.rand(8, 2).astype("float32"), rng.rand(8, 1).astype("float32"),
                 batch_size=4, epochs=3, verbose=0, shuffle=False)
result["fit"] = [hist.history["loss"], model.get_weights(),
                 float(K.backend.get_value(model.optimizer.loss_scale))]
"""


@pytest.mark.tf
@requires_tf
def test_loss_scale_optimizer_matches_tf_keras():
    assert_same(ours(PROGRAM), theirs(PROGRAM), rtol=1e-6, atol=1e-6)


def test_argument_errors():
    sgd = K.optimizers.SGD()
    with pytest.raises(ValueError, match='"initial_scale" must be specified'):
        K.mixed_precision.LossScaleOptimizer(sgd, dynamic=False)
    with pytest.raises(TypeError, match="inner_optimizer"):
        K.mixed_precision.LossScaleOptimizer("sgd")
