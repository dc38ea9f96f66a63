"""`tf.keras.backend`'s tensor functions against tf_keras in TF1 graph mode: every case
runs in a fresh graph in both TensorFlow (one interpreter for all cases) and tfgraph, and
the fetched values (or the error class) must agree. Gradients are compared the same way."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

# Each case is code run with `tf`, `K` (= tf.keras.backend), `np` and the arrays below;
# it sets `result` to a tensor, a list of tensors or a Python value to compare.
_ARRAYS = """
X = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 11.5) / 7.0
M = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 3.0
IMG = (np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3) % 7 - 3) / 4.0
VOL = (np.arange(2 * 4 * 4 * 4 * 2, dtype=np.float32).reshape(2, 4, 4, 4, 2) % 5 - 2) / 3.0
SEQ = (np.arange(2 * 7 * 3, dtype=np.float32).reshape(2, 7, 3) % 5 - 2) / 2.0
K2 = ((np.arange(3 * 3 * 3 * 4, dtype=np.float32).reshape(3, 3, 3, 4) % 11) - 5) / 10.0
"""

CASES: dict[str, str] = {
    # -- elementwise, comparisons, reductions
    "all": "result = [K.all(M > 0), K.all(M > -5, axis=1), K.all(M, keepdims=True)]",
    "any": "result = [K.any(M > 1), K.any(M > 1, axis=0), K.any(M, axis=1, keepdims=True)]",
    "arange": (
        "result = [K.arange(5), K.arange(2, 9, 3), K.arange(-3), K.arange(1, 4, dtype='float32')]"
    ),
    "argmin": "result = [K.argmin(M), K.argmin(M, axis=0)]",
    "comparisons": (
        "a = tf.constant(M); b = tf.constant(M[::-1].copy())\n"
        "result = [K.greater(a, b), K.greater_equal(a, b), K.less(a, b), "
        "K.less_equal(a, b), K.not_equal(a, b), K.maximum(a, b), K.minimum(a, b)]"
    ),
    "unary": (
        "a = tf.constant(X * 3)\n"
        "result = [K.sin(a), K.cos(a), K.round(a), K.sign(a), K.softplus(a), "
        "K.softsign(a), K.hard_sigmoid(a), K.elu(a), K.elu(a, 0.5), K.pow(a, 2), "
        "K.l2_normalize(a, axis=-1), K.l2_normalize(a)]"
    ),
    "prod_std_var": (
        "a = tf.constant(M)\n"
        "result = [K.prod(a), K.prod(a, axis=1, keepdims=True), K.std(a), "
        "K.std(a, axis=0), K.var(a, axis=1, keepdims=True), K.var(tf.constant([True, False]))]"
    ),
    "cumsum_cumprod": "a = tf.constant(M)\nresult = [K.cumsum(a), K.cumprod(a, axis=1)]",
    "cast_to_floatx": (
        "result = [K.cast_to_floatx(tf.constant([1, 2])), "
        "str(K.cast_to_floatx([1, 2]).dtype), K.cast_to_floatx([1, 2]).tolist()]"
    ),
    "misc_python": (
        "v = K.variable(np.ones((3, 4)))\n"
        "sp = tf.SparseTensor([[0, 1]], [2.0], [2, 3])\n"
        "result = [K.backend(), int(K.count_params(v)), K.is_sparse(sp), "
        "K.is_sparse(tf.constant(1.0)), K.to_dense(sp), K.to_dense(tf.constant([1.0]))]"
    ),
    "name_scope": (
        "with K.name_scope('block'):\n    c = tf.constant(1.0, name='c')\nresult = [c.op.name]"
    ),
    # -- shapes
    "gather_one_hot": (
        "result = [K.gather(tf.constant(M), [2, 0]), K.one_hot(tf.constant([0, 2, 1]), 3)]"
    ),
    "permute_flatten": (
        "a = tf.constant(X)\n"
        "result = [K.permute_dimensions(a, (2, 0, 1)), K.flatten(a), K.batch_flatten(a), "
        "K.int_shape(K.batch_flatten(tf.placeholder(tf.float32, (None, 3, 4))))]"
    ),
    "reverse_tile_repeat": (
        "a = tf.constant(X)\n"
        "result = [K.reverse(a, 1), K.reverse(a, (0, 2)), K.tile(a, (1, 2, 1)), "
        "K.tile(tf.constant([1, 2]), 2), K.repeat(tf.constant(M), 2)]"
    ),
    "repeat_elements": (
        "a = tf.constant(X)\n"
        "p = tf.placeholder(tf.float32, (None, 3, 4))\n"
        "r = K.repeat_elements(p, 2, axis=0)\n"
        "result = [K.repeat_elements(a, 2, axis=1), K.repeat_elements(a, 3, axis=2), "
        "K.int_shape(r), tf.Session().run(r, {p: X})]"
    ),
    "padding": (
        "result = [K.temporal_padding(tf.constant(X)), K.temporal_padding(tf.constant(X), (0, 2)), "
        "K.spatial_2d_padding(tf.constant(IMG), ((1, 0), (0, 2))), "
        "K.spatial_2d_padding(tf.constant(IMG), data_format='channels_first'), "
        "K.spatial_3d_padding(tf.constant(VOL), ((1, 0), (0, 1), (2, 0)))]"
    ),
    "resize": (
        "a = tf.constant(IMG)\n"
        "result = [K.resize_images(a, 2, 3, 'channels_last'), "
        "K.resize_images(a, 2, 2, 'channels_last', interpolation='bilinear'), "
        "K.resize_images(a, 1, 2, 'channels_first'), "
        "K.resize_images(a, 3, 2, 'channels_last', interpolation='bicubic'), "
        "K.resize_images(a, 2, 3, 'channels_last', interpolation='area'), "
        "K.resize_volumes(tf.constant(VOL), 2, 1, 2, 'channels_last'), "
        "K.resize_volumes(tf.constant(VOL), 1, 2, 1, 'channels_first')]"
    ),
    "resize_bad_interpolation": (
        "result = K.resize_images(tf.constant(IMG), 2, 2, 'channels_last', 'cubic')"
    ),
    "resize_bad_format": "result = K.resize_images(tf.constant(IMG), 2, 2, 'nchw')",
    "batch_dot": (
        "a = tf.constant(X); b = tf.constant(np.transpose(X, (0, 2, 1)).copy())\n"
        "v = tf.constant(M[:2]); w = tf.constant(M[1:] * 2)\n"
        "x4 = tf.constant(np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5) / 50)\n"
        "result = [K.batch_dot(a, b), K.batch_dot(a, b, axes=(1, 2)), K.batch_dot(v, w), "
        "K.batch_dot(v, w, axes=1), K.batch_dot(a, tf.constant(M[:2])), "
        "K.batch_dot(x4, a, axes=(1, 1)), K.batch_dot(a, x4, axes=(2, 2))]"
    ),
    "batch_dot_axis0": "result = K.batch_dot(tf.constant(X), tf.constant(X), axes=0)",
    "batch_dot_mismatch": "result = K.batch_dot(tf.constant(X), tf.constant(X), axes=(1, 2))",
    "batch_dot_rank1": "result = K.batch_dot(tf.constant([1.0]), tf.constant(X))",
    # -- convolutions and pooling
    "conv2d": (
        "a = tf.constant(IMG); k = tf.constant(K2)\n"
        "cf = tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy())\n"
        "result = [K.conv2d(a, k), K.conv2d(a, k, strides=(2, 1), padding='same'), "
        "K.conv2d(a, k, dilation_rate=(2, 1)), K.conv2d(cf, k, data_format='channels_first')]"
    ),
    "conv1d": (
        "a = tf.constant(SEQ); k = tf.constant(K2[0])\n"
        "cf = tf.constant(np.transpose(SEQ, (0, 2, 1)).copy())\n"
        "result = [K.conv1d(a, k), K.conv1d(a, k, strides=2, padding='same'), "
        "K.conv1d(a, k, padding='causal', dilation_rate=2), "
        "K.conv1d(cf, k, data_format='channels_first')]"
    ),
    "conv3d": (
        "a = tf.constant(VOL); k = tf.constant(np.resize(K2, (2, 2, 2, 2, 3)))\n"
        "cf = tf.constant(np.transpose(VOL, (0, 4, 1, 2, 3)).copy())\n"
        "result = [K.conv3d(a, k), K.conv3d(a, k, strides=(1, 2, 1), padding='same'), "
        "K.conv3d(cf, k, data_format='channels_first')]"
    ),
    "conv2d_transpose": (
        "a = tf.constant(IMG); k = tf.constant(np.transpose(K2, (0, 1, 3, 2)).copy())\n"
        "p = tf.placeholder(tf.float32, (None, 5, 6, 3))\n"
        "cf = tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy())\n"
        "t = K.conv2d_transpose(p, k, (None, 11, 13, 4), strides=(2, 2))\n"
        "result = [K.conv2d_transpose(a, k, (2, 10, 12, 4), strides=(2, 2), padding='same'), "
        "tf.Session().run(t, {p: IMG}), "
        "K.conv2d_transpose(cf, k, (2, 4, 7, 8), data_format='channels_first'), "
        "K.conv2d_transpose(a, k, (2, 9, 10, 4), dilation_rate=(2, 2))]"
    ),
    "depthwise_separable": (
        "a = tf.constant(IMG); dk = tf.constant(K2[:, :, :, :2]); "
        "pk = tf.constant(np.resize(K2, (1, 1, 6, 4)))\n"
        "cf = tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy())\n"
        "result = [K.depthwise_conv2d(a, dk), K.depthwise_conv2d(a, dk, padding='same', "
        "dilation_rate=(2, 2)), K.depthwise_conv2d(cf, dk, data_format='channels_first'), "
        "K.separable_conv2d(a, dk, pk), K.separable_conv2d(a, dk, pk, strides=(2, 2), "
        "padding='same'), K.separable_conv2d(cf, dk, pk, data_format='channels_first')]"
    ),
    "pool": (
        "a = tf.constant(IMG); v = tf.constant(VOL)\n"
        "cf = tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy())\n"
        "result = [K.pool2d(a, (2, 2)), K.pool2d(a, (2, 3), (2, 2), 'same', pool_mode='avg'), "
        "K.pool2d(cf, (2, 2), data_format='channels_first'), K.pool3d(v, (2, 2, 2)), "
        "K.pool3d(v, (2, 2, 2), (2, 2, 2), pool_mode='avg', padding='same')]"
    ),
    "pool_bad_mode": "result = K.pool2d(tf.constant(IMG), (2, 2), pool_mode='sum')",
    "pool_bad_padding": "result = K.pool2d(tf.constant(IMG), (2, 2), padding='full')",
    "bias_add": (
        "a = tf.constant(IMG)\n"
        "cf = tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy())\n"
        "result = [K.bias_add(a, tf.constant([1.0, 2.0, 3.0])), "
        "K.bias_add(cf, tf.constant([1.0, 2.0, 3.0]), data_format='channels_first'), "
        "K.bias_add(a, tf.constant(IMG[0] * 0.5)), "
        "K.bias_add(cf, tf.constant(IMG[0] * 0.5), data_format='channels_first'), "
        "K.bias_add(tf.constant(M), tf.constant([1.0, 2.0, 3.0, 4.0]))]"
    ),
    "bias_add_bad_rank": "result = K.bias_add(tf.constant(IMG), tf.constant(M))",
    "local_conv1d": (
        "a = tf.constant(SEQ)\n"
        "k = tf.constant(np.resize(K2, (3, 6, 5)))\n"
        "result = [K.local_conv1d(a, k, (2,), (2,))]"
    ),
    "local_conv2d": (
        "a = tf.constant(IMG)\n"
        "k = tf.constant(np.resize(K2, (2 * 2, 2 * 3 * 3, 4)))\n"
        "cf = tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy())\n"
        "result = [K.local_conv2d(a, k, (2, 3), (3, 3), (2, 2)), "
        "K.local_conv2d(cf, k, (2, 3), (3, 3), (2, 2), data_format='channels_first')]"
    ),
    # -- normalization
    "batch_normalization": (
        "a = tf.constant(IMG); m = tf.constant([0.1, -0.2, 0.3])\n"
        "v = tf.constant([1.0, 0.5, 2.0])\n"
        "b = tf.constant([0.0, 1.0, -1.0]); g = tf.constant([1.0, 2.0, 0.5])\n"
        "result = [K.batch_normalization(a, m, v, b, g), "
        "K.batch_normalization(a, m, v, None, None, "
        "epsilon=0.1), K.batch_normalization(tf.constant(M), tf.constant(0.5), tf.constant(2.0), "
        "tf.constant(1.0), tf.constant(3.0))]"
    ),
    "normalize_batch_in_training": (
        "a = tf.constant(X); g = tf.constant([1.0, 2.0, 0.5, 1.5])\n"
        "b = tf.constant([0.0, 1.0, -1.0, 2.0])\n"
        "g3 = tf.constant([1.0, 2.0, 0.5]); b3 = tf.constant([0.0, 1.0, -1.0])\n"
        "result = [list(K.normalize_batch_in_training(a, g, b, [0, 1])), "
        "list(K.normalize_batch_in_training(a, g3, b3, [0, 2], epsilon=0.01)), "
        "list(K.normalize_batch_in_training(a, None, None, [0, 2]))]"
    ),
    # -- variables
    "zeros_ones_eye": (
        "z = K.zeros((2, 3)); o = K.ones((3,), dtype='int32', name='o'); e = K.eye(3, name='e')\n"
        "z0 = K.zeros((0, 2))\n"
        "result = [z.name, o.name, e.name, z.dtype.base_dtype.name, o.dtype.base_dtype.name, "
        "type(z0).__name__.endswith('Tensor'), z, o, e, K.eye(2, dtype='float64'), "
        "K.zeros_like(tf.constant(M)), K.ones_like(tf.constant(M), dtype='int32', name='ol'), "
        "K.ones_like(tf.constant(M)).op.name, K.zeros_like(tf.constant(M), name='zl').op.name]"
    ),
    "manual_variable_initialization": (
        "v = K.variable([1.0, 2.0])\n"
        "K.manual_variable_initialization(True)\n"
        "try:\n"
        "    try:\n"
        "        K.get_session().run(v)\n"
        "        r = 'ran'\n"
        "    except tf.errors.FailedPreconditionError:\n"
        "        r = 'uninitialized'\n"
        "finally:\n"
        "    K.manual_variable_initialization(False)\n"
        "result = [r, K.get_session().run(v)]"
    ),
    "updates": (
        "v = K.variable([1.0, 2.0], name='v')\n"
        "s = tf.Session(); s.run(tf.global_variables_initializer())\n"
        "r = [s.run(K.update(v, [5.0, 6.0])).tolist(), s.run(K.update_add(v, [1.0, 1.0])).tolist(),"
        " s.run(K.update_sub(v, [0.5, 2.0])).tolist()]\n"
        "result = r"
    ),
    "moving_average_update": (
        "x = K.variable([0.0, 0.0], name='avg')\n"
        "u = K.moving_average_update(x, tf.constant([1.0, 2.0]), 0.9)\n"
        "s = tf.Session(); s.run(tf.global_variables_initializer())\n"
        "vals = [s.run(u).tolist() for _ in range(3)]\n"
        "result = [vals, sorted(v.name for v in tf.global_variables())]"
    ),
    "random_variables": (
        "u = K.random_uniform_variable((200, 50), -2, 3, name='ru', seed=1)\n"
        "n = K.random_normal_variable((200, 50), 1.0, 0.5, dtype='float64', seed=2)\n"
        "s = tf.Session(); s.run(tf.global_variables_initializer())\n"
        "a, b = s.run([u, n])\n"
        "result = [u.name, n.name, n.dtype.base_dtype.name, bool(a.min() >= -2), "
        "bool(a.max() < 3), round(float(a.mean()), 1), round(float(b.mean()), 1), "
        "round(float(b.std()), 1)]"
    ),
    "random_tensors": (
        "u = K.random_uniform((100, 100), 1, 2, seed=3)\n"
        "n = K.random_normal((100, 100), 2.0, 3.0)\n"
        "t = K.truncated_normal((100, 100), stddev=2.0, dtype='float64')\n"
        "bern = K.random_bernoulli((100, 100), p=0.3, seed=4)\n"
        "s = tf.Session(); a, b, c, d = s.run([u, n, t, bern])\n"
        "result = [round(float(a.mean()), 1), round(float(b.mean()), 0), "
        "round(float(b.std()), 0), bool(np.abs(c).max() <= 4.0), str(c.dtype), "
        "sorted(set(d.ravel().tolist())), round(float(d.mean()), 1), u.dtype.name, "
        "K.int_shape(bern)]"
    ),
    "random_binomial": (
        "import warnings\nwarnings.simplefilter('ignore')\n"
        "r = K.random_binomial((4, 5), p=1.0)\nresult = [r]"
    ),
    "dropout": (
        "d = K.dropout(tf.ones((100, 100)), 0.25, seed=5)\n"
        "a = tf.Session().run(d)\n"
        "result = [sorted(set(np.round(a.ravel(), 4).tolist())), "
        "bool(abs((a == 0).mean() - 0.25) < 0.03)]"
    ),
    # -- learning phase and control flow
    "switch": (
        "c = tf.placeholder(tf.bool, ()); a = tf.constant(M)\n"
        "sw = K.switch(c, lambda: a * 2, lambda: a - 1)\n"
        "el = K.switch(tf.constant([[True], [False], [True]]), a, -a)\n"
        "e2 = K.switch(tf.constant([[1, 0, 1, 0]] * 3), a, tf.zeros_like(a))\n"
        "s = tf.Session()\n"
        "result = [s.run(sw, {c: True}), s.run(sw, {c: False}), el, e2]"
    ),
    "switch_rank1_condition": (
        "result = K.switch(tf.constant([True, False, True]), tf.constant(M), -tf.constant(M))"
    ),
    "switch_bad_rank": (
        "result = K.switch(tf.constant([[True]]), tf.constant([1.0]), tf.constant([2.0]))"
    ),
    "in_train_phase": (
        "a = tf.constant([1.0, 2.0])\n"
        "t = K.in_train_phase(a * 10, a)\n"
        "tt = K.in_test_phase(a * 10, a)\n"
        "s = tf.Session()\n"
        "r = [s.run(t), s.run(t, {K.learning_phase(): True}), s.run(tt), "
        "K.in_train_phase(lambda: 'x', 'alt', training=1), "
        "K.in_test_phase('x', 'alt', training=0)]\n"
        "result = r"
    ),
    "learning_phase_scope": (
        "import warnings\nwarnings.simplefilter('ignore')\n"
        "a = tf.constant([1.0, 2.0])\n"
        "with K.learning_phase_scope(1):\n"
        "    inside = K.learning_phase()\n"
        "    t = K.in_train_phase(a * 10, a)\n"
        "result = [inside, t, isinstance(K.learning_phase(), int)]"
    ),
    "learning_phase_scope_bad": (
        "import warnings\nwarnings.simplefilter('ignore')\n"
        "with K.learning_phase_scope(2):\n    pass\nresult = 0"
    ),
    "map_fold": (
        "a = tf.constant(M)\n"
        "result = [K.map_fn(lambda r: r * 2, a), "
        "K.map_fn(lambda r: K.sum(r), a, dtype=tf.float32), "
        "K.foldl(lambda acc, r: acc + r, a), K.foldr(lambda acc, r: acc * 0.5 + r, a, "
        "initializer=tf.zeros(4)), K.in_top_k(a, tf.constant([0, 3, 2]), 2)]"
    ),
    "print_tensor": "result = [K.print_tensor(tf.constant([1.0, 2.0]), message='v=') * 2]",
    "rnn": (
        "w = tf.constant(np.resize(K2, (3, 4))); u = tf.constant(np.resize(K2[::-1], (4, 4)))\n"
        "def step(x_t, states):\n"
        "    h = K.tanh(K.dot(x_t, w) + K.dot(states[0], u))\n"
        "    return h, [h]\n"
        "seq = tf.constant(SEQ); h0 = tf.zeros((2, 4))\n"
        "mask = tf.constant(np.array([[1, 1, 1, 0, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]], bool))\n"
        "r = []\n"
        "for kw in [{}, {'go_backwards': True}, {'unroll': True}, {'mask': mask}, "
        "{'mask': mask, 'unroll': True}, {'mask': mask, 'zero_output_for_mask': True}, "
        "{'mask': mask, 'unroll': True, 'zero_output_for_mask': True}, "
        "{'mask': mask, 'go_backwards': True}]:\n"
        "    last, outs, states = K.rnn(step, seq, [h0], **kw)\n"
        "    r.append([last, outs, list(states), K.int_shape(outs)])\n"
        "p = tf.placeholder(tf.float32, (None, None, 3))\n"
        "last, outs, st = K.rnn(step, p, [tf.zeros((tf.shape(p)[0], 4))])\n"
        "r.append(tf.Session().run([last, outs], {p: SEQ}))\n"
        "result = r"
    ),
    "rnn_input_length": (
        "w = tf.constant(np.resize(K2, (3, 4))); u = tf.constant(np.resize(K2[::-1], (4, 4)))\n"
        "def step(x_t, states):\n"
        "    h = K.tanh(K.dot(x_t, w) + K.dot(states[0], u))\n"
        "    return h, [h]\n"
        "seq = tf.constant(SEQ); lengths = tf.constant([3, 6])\n"
        "r = []\n"
        "for back in (False, True):\n"
        "    last, outs, states = K.rnn(step, seq, [tf.zeros((2, 4))], input_length=lengths, "
        "go_backwards=back)\n"
        "    r.append([last, outs, list(states)])\n"
        "last, outs, states = K.rnn(step, seq, [tf.zeros((2, 4))], input_length=7)\n"
        "result = r + [[last, outs]]"
    ),
    "rnn_constants_time_major": (
        "w = tf.constant(np.resize(K2, (3, 4)))\n"
        "def step(x_t, states):\n"
        "    c = states[1]\n"
        "    h = states[0] * 0.5 + K.dot(x_t, w) * c\n"
        "    return h * 2, [h]\n"
        "seq = tf.constant(np.transpose(SEQ, (1, 0, 2)).copy())\n"
        "last, outs, states = K.rnn(step, seq, [tf.ones((2, 4))], constants=[tf.constant(0.5)], "
        "time_major=True)\n"
        "result = [last, outs, list(states)]"
    ),
    "rnn_nested": (
        "def step(x_t, states):\n"
        "    a, b = x_t\n"
        "    h = states[0] + a * b\n"
        "    return [h, a - b], [h]\n"
        "seq = tf.constant(SEQ)\n"
        "r = []\n"
        "for unroll in (False, True):\n"
        "    last, outs, states = K.rnn(step, [seq, seq * 2], [tf.zeros((2, 3))], unroll=unroll)\n"
        "    r.append([last, outs, list(states)])\n"
        "result = r"
    ),
    "rnn_unroll_unknown_steps": (
        "p = tf.placeholder(tf.float32, (2, None, 3))\n"
        "result = K.rnn(lambda x, s: (x, s), p, [tf.zeros((2, 3))], unroll=True)"
    ),
    # -- graph structure: op types and names, static shapes
    "op_types": (
        "a = tf.constant(M); img = tf.constant(IMG); c = tf.placeholder(tf.bool, ())\n"
        "ts = [K.arange(5), K.hard_sigmoid(a), K.elu(a, 0.5), K.batch_flatten(tf.constant(X)), "
        "K.bias_add(img, tf.constant([1.0, 2.0, 3.0])), K.conv2d(img, tf.constant(K2)), "
        "K.pool2d(img, (2, 2), pool_mode='avg'), K.print_tensor(a), K.switch(c, a, a * 2), "
        "K.one_hot(tf.constant([1]), 3), K.all(a), K.any(a), K.prod(a), K.std(a), K.var(a), "
        "K.permute_dimensions(a, (1, 0)), K.flatten(a), K.cumsum(a), K.cumprod(a), "
        "K.softplus(a), K.softsign(a), K.sign(a), K.round(a), K.repeat(a, 2), "
        "K.temporal_padding(tf.constant(X)), K.in_top_k(a, tf.constant([0, 1, 2]), 1), "
        "K.gather(a, [0]), K.l2_normalize(a, 0), K.reverse(a, 0), K.tile(a, (1, 2)), "
        "K.random_bernoulli((2, 2), 0.5), K.resize_images(img, 2, 2, 'channels_last'), "
        "K.conv2d(tf.constant(np.transpose(IMG, (0, 3, 1, 2)).copy()), tf.constant(K2), "
        "data_format='channels_first')]\n"
        "result = [[t.op.type, t.op.name] for t in ts]"
    ),
    "static_shapes": (
        "p = tf.placeholder(tf.float32, (None, None, None, 3))\n"
        "q = tf.placeholder(tf.float32, (None, 7, 3))\n"
        "r = tf.placeholder(tf.float32, (None, 3, 4))\n"
        "k = tf.constant(K2)\n"
        "def step(x_t, states):\n"
        "    return x_t * 2, [states[0] + K.sum(x_t, axis=1, keepdims=True)]\n"
        "last, outs, st = K.rnn(step, q, [tf.zeros((2, 1))])\n"
        "ts = [K.conv2d(p, k), K.conv2d(p, k, padding='same', data_format='channels_last'), "
        "K.pool2d(p, (2, 2)), K.batch_dot(r, r, axes=(2, 2)), K.batch_flatten(r), "
        "K.repeat_elements(r, 2, 1), K.spatial_2d_padding(p), K.resize_images(p, 2, 2, "
        "'channels_last'), K.resize_volumes(tf.placeholder(tf.float32, (None, 2, 3, 4, 1)), "
        "2, 2, 2, 'channels_last'), K.bias_add(p, tf.constant([1.0, 2.0, 3.0])), "
        "K.conv1d(q, tf.constant(K2[0]), padding='causal'), last, outs, st[0], "
        "K.one_hot(tf.placeholder(tf.int32, (None, 5)), 4), K.arange(3), K.switch("
        "tf.placeholder(tf.bool, ()), r, r), K.in_train_phase(r, r * 2)]\n"
        "result = [K.int_shape(t) for t in ts]"
    ),
    # -- CTC
    "ctc": (
        "probs = np.resize(np.abs(K2) + 0.1, (2, 6, 5)).astype(np.float32)\n"
        "probs /= probs.sum(-1, keepdims=True)\n"
        "labels = tf.constant([[1, 2, 3], [2, 2, 0]])\n"
        "sp = K.ctc_label_dense_to_sparse(labels, tf.constant([3, 2]))\n"
        "cost = K.ctc_batch_cost(labels, tf.constant(probs), tf.constant([[6], [5]]), "
        "tf.constant([[3], [2]]))\n"
        "g, glp = K.ctc_decode(tf.constant(probs), tf.constant([6, 4]))\n"
        "b, blp = K.ctc_decode(tf.constant(probs), tf.constant([6, 4]), greedy=False, "
        "beam_width=4, top_paths=2)\n"
        "result = [sp.indices, sp.values, sp.dense_shape, cost, g, glp, b, blp]"
    ),
}

# (case, the tensor to differentiate, the variable): gradients compared with TF's.
GRAD_CASES: dict[str, str] = {
    "grad_unary": (
        "a = tf.constant(X * 3)\n"
        "y = K.sum(K.softplus(a) + K.softsign(a) + K.hard_sigmoid(a) + K.elu(a, 0.5) "
        "+ K.sin(a) * K.cos(a) + K.pow(a, 2) + K.l2_normalize(a, 1))\n"
        "result = tf.gradients(y, a)"
    ),
    "grad_reductions": (
        "a = tf.constant(M)\n"
        "y = K.sum(K.prod(a, axis=1)) + K.std(a) + K.sum(K.var(a, 0)) + K.sum(K.cumsum(a, 1)) "
        "+ K.sum(K.cumprod(a))\nresult = tf.gradients(y, a)"
    ),
    "grad_shapes": (
        "a = tf.constant(X)\n"
        "y = K.sum(K.batch_flatten(K.permute_dimensions(a, (1, 0, 2))) * 2) + "
        "K.sum(K.repeat_elements(a, 2, 1) ** 2) + K.sum(K.tile(a, (1, 1, 2)) ** 3) "
        "+ K.sum(K.temporal_padding(a) * 3) + K.sum(K.reverse(a, 2) * tf.constant(X))\n"
        "result = tf.gradients(y, a)"
    ),
    "grad_batch_dot": (
        "a = tf.constant(X); b = tf.constant(np.transpose(X, (0, 2, 1)).copy())\n"
        "y = K.sum(K.batch_dot(a, b) ** 2) + K.sum(K.batch_dot(a, a, axes=(2, 2)))\n"
        "result = tf.gradients(y, [a, b])"
    ),
    "grad_conv": (
        "a = tf.constant(IMG); k = tf.constant(K2)\n"
        "dk = tf.constant(K2[:, :, :, :2]); pk = tf.constant(np.resize(K2, (1, 1, 6, 4)))\n"
        "y = K.sum(K.conv2d(a, k, padding='same') ** 2) + K.sum(K.pool2d(a, (2, 2), "
        "pool_mode='avg')) + K.sum(K.separable_conv2d(a, dk, pk) ** 2) + "
        "K.sum(K.bias_add(a, tf.constant([1.0, 2.0, 3.0])) ** 2) + "
        "K.sum(K.resize_images(a, 2, 2, 'channels_last', 'bilinear') ** 2)\n"
        "result = tf.gradients(y, [a, k, dk, pk])"
    ),
    "grad_local_conv": (
        "a = tf.constant(SEQ); k = tf.constant(np.resize(K2, (3, 6, 5)))\n"
        "y = K.sum(K.local_conv1d(a, k, (2,), (2,)) ** 2)\nresult = tf.gradients(y, [a, k])"
    ),
    "grad_batchnorm": (
        "a = tf.constant(X); g = tf.constant([1.0, 2.0, 0.5, 1.5])\n"
        "b = tf.constant([0.0, 1.0, -1.0, 2.0])\n"
        "n, m, v = K.normalize_batch_in_training(a, g, b, [0, 1])\n"
        "y = K.sum(n ** 3) + K.sum(K.batch_normalization(a, m, v, b, g) ** 2)\n"
        "result = tf.gradients(y, [a, g, b])"
    ),
    "grad_rnn": (
        "w = tf.constant(np.resize(K2, (3, 4))); u = tf.constant(np.resize(K2[::-1], (4, 4)))\n"
        "def step(x_t, states):\n"
        "    h = K.tanh(K.dot(x_t, w) + K.dot(states[0], u))\n"
        "    return h, [h]\n"
        "seq = tf.constant(SEQ)\n"
        "mask = tf.constant(np.array([[1, 1, 1, 0, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]], bool))\n"
        "_, outs, _ = K.rnn(step, seq, [tf.zeros((2, 4))], mask=mask)\n"
        "_, outs2, _ = K.rnn(step, seq, [tf.zeros((2, 4))], unroll=True)\n"
        "y = K.sum(outs ** 2) + K.sum(outs2)\nresult = tf.gradients(y, [seq, w, u])"
    ),
    "grad_ctc": (
        "probs = np.resize(np.abs(K2) + 0.1, (2, 6, 5)).astype(np.float32)\n"
        "probs /= probs.sum(-1, keepdims=True)\n"
        "p = tf.constant(probs)\n"
        "cost = K.ctc_batch_cost(tf.constant([[1, 2, 3], [2, 2, 0]]), p, "
        "tf.constant([[6], [5]]), tf.constant([[3], [2]]))\n"
        "result = tf.gradients(K.sum(cost), p)"
    ),
}

_HARNESS = (
    _ARRAYS
    + """
K = tf.keras.backend
CASES = json.loads({cases!r})


def to_json(value):
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        if value.dtype.kind in "SO":
            return [to_json(v) for v in np.asarray(value).ravel().tolist()]
        return {{"dtype": str(value.dtype), "value": np.asarray(value).tolist()}}
    if isinstance(value, bytes):
        return value.decode()
    return value


def fetchable(value):
    return hasattr(value, "graph")


def collect(value, tensors):
    if isinstance(value, (list, tuple)):
        return [collect(v, tensors) for v in value]
    if fetchable(value):
        tensors.append(value)
        return ("__fetch__", len(tensors) - 1)
    return value


def fill(value, fetched):
    if isinstance(value, list):
        return [fill(v, fetched) for v in value]
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__fetch__":
        return to_json(fetched[value[1]])
    return to_json(value)


out = {{}}
for name, code in CASES.items():
    with tf.Graph().as_default():
        env = dict(tf=tf, K=K, np=np, X=X, M=M, IMG=IMG, VOL=VOL, SEQ=SEQ, K2=K2)
        try:
            exec(code, env)
            tensors = []
            skeleton = collect(env["result"], tensors)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                fetched = sess.run(tensors)
            out[name] = fill(skeleton, fetched)
        except Exception as e:
            out[name] = {{"error": type(e).__name__, "message": str(e)[:300]}}
print(json.dumps(out))
"""
)

_ALL = {**CASES, **GRAD_CASES}


def _program() -> str:
    return "import json\n" + _HARNESS.format(cases=json.dumps(_ALL))


@pytest.fixture(scope="module")
def both():
    import tfgraph

    tfgraph.reset_default_graph()
    return run_tf_json(_program()), run_here_json(_program())


def _assert_same(ours, theirs, where="result"):
    if isinstance(theirs, dict) and "dtype" in theirs:
        assert isinstance(ours, dict) and "dtype" in ours, f"{where}: {ours!r}"
        assert ours["dtype"] == theirs["dtype"], where
        a, b = np.asarray(ours["value"]), np.asarray(theirs["value"])
        assert a.shape == b.shape, f"{where}: {a.shape} != {b.shape}"
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5, err_msg=where)
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(theirs, dict) and "error" in theirs:
        assert isinstance(ours, dict) and ours.get("error") == theirs["error"], (
            f"{where}: expected {theirs}, got {ours}"
        )
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r}"
        for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
            _assert_same(o, t, f"{where}[{i}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-5), where
    else:
        assert ours == theirs, where


@pytest.mark.tf
@requires_tf
@pytest.mark.parametrize("name", sorted(_ALL))
def test_backend_function_matches_tf_keras(both, name):
    theirs, ours = both
    _assert_same(ours[name], theirs[name], name)


@pytest.mark.tf
@requires_tf
def test_the_cases_cover_their_errors(both):
    """The error cases do fail in TF, with the phrases tfgraph reproduces."""
    theirs, ours = both
    expected = {
        "resize_bad_interpolation": "`interpolation` argument should be one of",
        "resize_bad_format": "Invalid `data_format` argument",
        "batch_dot_axis0": "Cannot perform batch_dot over axis 0",
        "batch_dot_mismatch": "Cannot do batch_dot on inputs with shapes",
        "batch_dot_rank1": "Cannot do batch_dot on inputs with rank < 2",
        "pool_bad_mode": "Invalid pooling mode",
        "pool_bad_padding": "Invalid padding",
        "bias_add_bad_rank": "Unexpected bias dimensions",
        "switch_bad_rank": "Rank of `condition` should be less than or equal",
        "learning_phase_scope_bad": "Expected learning phase to be 0 or 1",
        "rnn_unroll_unknown_steps": "Unrolling requires a fixed number of timesteps",
    }
    for name, phrase in expected.items():
        assert phrase in theirs[name]["message"], (name, theirs[name])
        assert phrase in ours[name]["message"], (name, ours[name])


def test_print_tensor_prints_to_stdout(capsys):
    import tfgraph as tf
    from tfgraph.keras import backend as K

    with tf.Graph().as_default():
        t = K.print_tensor(tf.constant([1.0, 2.0]), message="value:")
        with tf.Session() as sess:
            assert sess.run(t).tolist() == [1.0, 2.0]
    assert "value: [1 2]" in capsys.readouterr().out


_NUMERIC_GRADIENTS = {
    # name: (input shape, function of the input built with K)
    "batch_dot": ((2, 3, 4), lambda K, x: K.batch_dot(x, x, axes=(2, 2))),
    "repeat_elements": ((2, 3, 4), lambda K, x: K.repeat_elements(x, 2, 1) * 1.5),
    "local_conv1d": (
        (2, 7, 3),
        lambda K, x: K.local_conv1d(
            x, K.constant(np.resize(np.arange(90.0), (3, 6, 5)) / 90, "float64"), (2,), (2,)
        ),
    ),
    "conv1d_causal": (
        (2, 7, 3),
        lambda K, x: K.conv1d(x, K.constant(np.ones((2, 3, 2)) / 3, "float64"), padding="causal"),
    ),
    "rnn_masked": (
        (2, 5, 3),
        lambda K, x: K.rnn(
            lambda x_t, s: (K.tanh(x_t + s[0]), [K.tanh(x_t + s[0])]),
            x,
            [K.zeros_like(x[:, 0])],
            mask=K.constant(np.array([[1, 1, 0, 1, 0], [1, 1, 1, 1, 1]], bool), "bool"),
        )[1],
    ),
    "hard_sigmoid_elu": ((3, 4), lambda K, x: K.hard_sigmoid(x) + K.elu(x, 0.5)),
}


@pytest.mark.parametrize("name", sorted(_NUMERIC_GRADIENTS))
def test_gradient_matches_a_numerical_estimate(name):
    import tfgraph as tf
    from tfgraph.keras import backend as K

    shape, build = _NUMERIC_GRADIENTS[name]
    x0 = (np.arange(np.prod(shape), dtype=np.float64).reshape(shape) % 7 - 3.3) / 4
    with tf.Graph().as_default():
        x = tf.constant(x0, dtype=tf.float64)
        y = build(K, x)
        with tf.Session():
            err = tf.test.compute_gradient_error(
                x, list(shape), y, y.shape.as_list(), x_init_value=x0
            )
    assert err < 1e-4, err
