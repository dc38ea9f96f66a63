"""Graphs and values of optimizers (with given gradients), learning-rate schedules and
the global step against real TF: the same ops (names, types, inputs, control inputs),
the same fetched values and errors. See `opdiff.py`."""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat import opdiff

_VARS = """
w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3) / 4, name="w")
b = tf.get_variable("b", [3], initializer=tf.constant_initializer(0.5))
gw = tf.constant(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), name="gw")
gb = tf.constant([0.1, -0.2, 0.3], name="gb")
"""
_SPARSE = """
e = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 8, name="e")
ge = tf.IndexedSlices(tf.constant(np.ones((3, 3), np.float32), name="gv"),
                      tf.constant([2, 0, 2], name="gi"), tf.constant([4, 3], name="gs"))
"""

# tf.raw_ops.<Op>(**inputs_and_attrs) in TF; the registry entry in tfgraph.
_RAW = """
def raw(op_type, **kw):
    if hasattr(tf, "raw_ops"):
        return getattr(tf.raw_ops, op_type)(**kw)
    from tfgraph.framework import registry
    from tfgraph.ops.apply import op_output
    names = registry.get(op_type).input_names
    return op_output(op_type, None, [kw.pop(n) for n in names], kw)
"""

_OPTIMIZERS = {
    "gd": "tf.train.GradientDescentOptimizer(0.1)",
    "momentum": "tf.train.MomentumOptimizer(0.1, 0.9)",
    "nesterov": "tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True, name='Nes')",
    "adam": "tf.train.AdamOptimizer(0.01)",
    "adagrad": "tf.train.AdagradOptimizer(0.1)",
    "adadelta": "tf.train.AdadeltaOptimizer(1.0)",
    "rmsprop": "tf.train.RMSPropOptimizer(0.01, momentum=0.5)",
    "rmsprop_centered": "tf.train.RMSPropOptimizer(0.01, centered=True)",
    "ftrl": "tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01)",
    "ftrl_v2": "tf.train.FtrlOptimizer(0.1, l2_shrinkage_regularization_strength=0.01)",
    "proximal_gd": "tf.train.ProximalGradientDescentOptimizer(0.1, 0.01, 0.02)",
    "proximal_adagrad": "tf.train.ProximalAdagradOptimizer(0.1, l1_regularization_strength=0.01)",
}

CASES: dict[str, str] = {}
for _name, _make in _OPTIMIZERS.items():
    CASES[f"dense_{_name}"] = (
        _VARS
        + f"""
opt = {_make}
gs = tf.train.get_or_create_global_step()
train = opt.apply_gradients([(gw, w), (gb, b)], global_step=gs)
init = tf.global_variables_initializer()
names = [v.op.name for v in opt.variables()] + opt.get_slot_names()
out = [train, tf.constant(names), tf.constant([train.name]
       + [o.name for o in tf.get_collection(tf.GraphKeys.TRAIN_OP)])]
"""
    )
    CASES[f"sparse_{_name}"] = (
        _SPARSE
        + f"""
opt = {_make}
with tf.name_scope("outer"):
    train = opt.apply_gradients([(ge, e)], name="step")
init = tf.global_variables_initializer()
out = [train, tf.constant([v.op.name for v in tf.global_variables()])]
"""
    )

_MLP = """
x = tf.placeholder(tf.float32, [None, 3], name="x")
y = tf.placeholder(tf.int32, [None], name="y")
w1 = tf.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), name="w1")
b1 = tf.Variable(np.zeros(4, np.float32), name="b1")
w2 = tf.Variable(np.linspace(1, -1, 8, dtype=np.float32).reshape(4, 2), name="w2")
h = tf.nn.relu(tf.matmul(x, w1) + b1)
logits = tf.matmul(h, w2)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
feed = {x: np.array([[1, 2, 3], [-1, 0.5, 2]], np.float32), y: [0, 1]}
"""

for _name, _make in _OPTIMIZERS.items():
    CASES[f"minimize_{_name}"] = (
        _MLP
        + f"""
gs = tf.train.get_or_create_global_step()
opt = {_make}
train = opt.minimize(loss, global_step=gs)
init = tf.global_variables_initializer()
with tf.control_dependencies([train]):
    out = [w1.read_value(), b1.read_value(), w2.read_value(), loss]
"""
    )

CASES.update(
    {
        "minimize_gate_graph_var_list": _MLP
        + """
opt = tf.train.GradientDescentOptimizer(0.5)
gv = opt.compute_gradients(loss, var_list=[w1, w2], gate_gradients=opt.GATE_GRAPH)
train = opt.apply_gradients(gv, name="apply")
init = tf.global_variables_initializer()
with tf.control_dependencies([train]):
    out = [w1.read_value(), w2.read_value()]
""",
        "minimize_sparse_embedding": """
emb = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 10, name="emb")
ids = tf.constant([1, 3, 1], name="ids")
loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(emb, ids)))
opt = tf.train.AdamOptimizer(0.1)
train = opt.minimize(loss)
init = tf.global_variables_initializer()
with tf.control_dependencies([train]):
    out = [emb.read_value()]
""",
        "minimize_no_gradients": """
v = tf.Variable(1, name="iv")
w = tf.Variable(2.0, name="w")
tf.train.GradientDescentOptimizer(0.1).minimize(tf.cast(v, tf.float32) * 2.0, var_list=[v])
phrase = "No gradients provided for any variable, check your graph for ops that do not"
""",
        "minimize_int_loss": """
w = tf.Variable(2.0, name="w")
tf.train.GradientDescentOptimizer(0.1).minimize(tf.cast(w * 2.0, tf.int32))
phrase = "Invalid type tf.int32 for Cast:0, expected: [tf.float32, tf.float64, tf.float16"
""",
        "minimize_no_variables": """
tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0))
phrase = "No variables to optimize."
""",
        "compute_gradients_bad_gate": """
w = tf.Variable(2.0, name="w")
tf.train.GradientDescentOptimizer(0.1).compute_gradients(w * 2.0, gate_gradients=5)
phrase = "gate_gradients must be one of"
""",
        "adam_two_steps_values": _VARS
        + """
opt = tf.train.AdamOptimizer(0.1)
train = opt.apply_gradients([(gw, w), (gb, b)])
init = tf.global_variables_initializer()
with tf.control_dependencies([train]):
    out = [w.read_value(), b.read_value(), opt.get_slot(w, "m").read_value()]
""",
        "optimizer_lr_tensor": _VARS
        + """
lr = tf.placeholder(tf.float32, [], name="lr")
opt = tf.train.MomentumOptimizer(lr, tf.constant(0.5))
train = opt.apply_gradients([(gw, w)])
init = tf.global_variables_initializer()
feed = {lr: 0.25}
with tf.control_dependencies([train]):
    out = [w.read_value()]
""",
        "global_step_helpers": """
g0 = tf.train.get_global_step()
with tf.name_scope("s"):
    gs = tf.train.get_or_create_global_step()
same = tf.train.get_or_create_global_step() is gs
init = tf.global_variables_initializer()
out = [gs, tf.constant([str(g0), str(same), gs.name])]
""",
        "create_global_step_twice": """
tf.train.create_global_step()
tf.train.create_global_step()
phrase = "already exists"
""",
        "schedules_at_step_0": """
gs = tf.train.get_or_create_global_step()
init = tf.global_variables_initializer()
out = [
    tf.train.exponential_decay(0.1, gs, 10, 0.9, staircase=True),
    tf.train.polynomial_decay(0.1, gs, 5, 0.01, power=2.0, cycle=True),
    tf.train.cosine_decay_restarts(0.1, gs, 3),
]
""",
        "schedules": """
gs = tf.placeholder(tf.int64, [], name="step")
feed = {gs: 7}
out = [
    tf.train.exponential_decay(0.1, gs, 10, 0.9, staircase=True),
    tf.train.exponential_decay(0.1, gs, 3, 0.5, name="ed"),
    tf.train.natural_exp_decay(0.1, gs, 10, 0.5),
    tf.train.inverse_time_decay(0.1, gs, 10, 0.5, staircase=True),
    tf.train.inverse_time_decay(0.1, gs, 4, 0.5),
    tf.train.polynomial_decay(0.1, gs, 5, 0.01, power=2.0, cycle=True),
    tf.train.polynomial_decay(0.1, gs, 10),
    tf.train.cosine_decay(0.1, gs, 10, alpha=0.1),
    tf.train.cosine_decay_restarts(0.1, gs, 3),
    tf.train.cosine_decay_restarts(0.1, gs, 3, t_mul=1.0, m_mul=0.5),
    tf.train.linear_cosine_decay(0.1, gs, 10),
]
""",
        "piecewise_constant": """
gs = tf.train.get_or_create_global_step()
x = tf.placeholder(tf.int64, [], name="x")
feed = {x: 15}
pc = tf.train.piecewise_constant(x, [10, 20], [1.0, 0.5, 0.1])
pc2 = tf.train.piecewise_constant(tf.cast(x, tf.int32), [5], [1.0, 2.0], name="pw")
out = [pc, pc2]
""",
        "case": """
x = tf.placeholder(tf.int32, [], name="x")
o1 = tf.case([(x < 5, lambda: tf.constant(1)), (x < 8, lambda: tf.constant(2))], exclusive=True)
o2 = tf.case([(x < 0, lambda: tf.constant(-1)), (x > 10, lambda: tf.constant(1))],
             default=lambda: tf.constant(0), name="with_default")
o3 = tf.case([(x < 0, lambda: tf.constant(-1)), (x > -10, lambda: tf.constant(1))])
feed = {x: 1}
out = [o1, o2, o3]
""",
        "piecewise_constant_bad_dtype": """
x = tf.placeholder(tf.float32, [], name="x")
tf.train.piecewise_constant(x, [10, 20], [1.0, 0.5, 0.1])
phrase = "must have the same dtype as x"
""",
        "piecewise_constant_bad_lengths": """
x = tf.placeholder(tf.int32, [], name="x")
tf.train.piecewise_constant(x, [10, 20], [1.0, 0.5])
phrase = "should be 1 less than"
""",
        "apply_gradients_no_vars": """
tf.train.GradientDescentOptimizer(0.1).apply_gradients([])
phrase = "No variables provided."
""",
        "apply_gradients_no_grads": """
w = tf.Variable(1.0, name="w")
tf.train.GradientDescentOptimizer(0.1).apply_gradients([(None, w)])
phrase = "No gradients provided for any variable: ["
""",
        "adagrad_bad_accumulator": """
tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
phrase = "initial_accumulator_value must be positive: 0.0"
""",
        "ftrl_bad_power": """
tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
phrase = "learning_rate_power 0.500000 needs to be negative or zero"
""",
        "optimizer_no_name": """
tf.train.Optimizer(False, "")
phrase = "Must specify the optimizer name"
""",
        "training_op_bad_scalar": _RAW
        + """
v = tf.Variable(tf.zeros([2, 3]), name="v")
raw("ApplyGradientDescent", var=v, alpha=[0.1], delta=tf.zeros([2, 3]))
phrase = "Shape must be rank 0 but is rank 1"
""",
        "training_op_bad_grad": _RAW
        + """
v = tf.Variable(tf.zeros([2, 3]), name="v")
raw("ApplyGradientDescent", var=v, alpha=0.1, delta=tf.zeros([2, 4]))
phrase = "Dimension 1 in both shapes must be equal, but are 3 and 4. Shapes are [2,3] and [2,4]."
""",
        "sparse_training_op_bad_rows": _RAW
        + """
v = tf.Variable(tf.zeros([2, 3]), name="v")
raw("SparseApplyMomentum", var=v, accum=v, lr=0.1, grad=tf.zeros([3, 3]), indices=[0, 1],
                               momentum=0.9)
phrase = "Dimensions must be equal, but are 2 and 3"
""",
        "sparse_training_op_bad_index": _RAW
        + """
v = tf.Variable(tf.zeros([2, 3]), name="v")
a = tf.Variable(tf.zeros([2, 3]), name="a")
init = tf.global_variables_initializer()
out = raw("SparseApplyAdagrad", var=v, accum=a, lr=0.1, grad=tf.ones([2, 3]),
                                    indices=[0, 5])
phrase = "Index 5 at offset 1 in indices is out of range"
""",
        "training_op_uninitialized_slot": _RAW
        + """
v = tf.Variable(tf.zeros([2]), name="v")
a = tf.Variable(tf.zeros([2]), name="a")
init = v.initializer
out = raw("ApplyAdagrad", var=v, accum=a, lr=0.1, grad=tf.ones([2]))
phrase = "Attempting to use uninitialized value a"
""",
    }
)


@pytest.fixture(scope="module")
def tf_results():
    return opdiff.run_cases_in_tf(CASES)


@tfrun.requires_tf
@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(CASES))
def test_parity_with_tf(case, tf_results):
    code = CASES[case]
    actual = opdiff.run_case_in_tfgraph(code)
    problems = opdiff.compare(case, code, tf_results[case], actual)
    assert not problems, f"case {case!r}:\n" + "\n".join(problems)
