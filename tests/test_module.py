"""`tf.Module`: the order of `variables` / `submodules` matches TF 2.21's."""

import json

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf

_TREE = """
class L(tf.Module):
    def __init__(self, name, depth):
        super().__init__(name=name)
        self.w = tf.Variable(1.0, name=name + "_w")
        if depth:
            self.kids = [L(name + "a", depth - 1), L(name + "b", depth - 1)]
        self.z = tf.Variable(2.0, name=name + "_z", trainable=False)
        self.cycle = self  # a reference back to itself is visited once

def names(root):
    return [
        [v.name for v in root.variables],
        [v.name for v in root.trainable_variables],
        [m.name for m in root.submodules],
    ]
"""
exec(_TREE)


def test_variables_depth_first_after_own_leaves():
    with tf.Graph().as_default():
        got = names(L("r", 2))  # noqa: F821
    assert got[0][:6] == ["r_w:0", "r_z:0", "ra_w:0", "ra_z:0", "raa_w:0", "raa_z:0"]
    assert got[2] == ["ra", "rb", "raa", "rab", "rba", "rbb"]


@requires_tf
def test_order_matches_tf():
    out = run_tf(
        "tf.enable_v2_behavior()\nimport tensorflow as tf, json\n"
        + _TREE
        + "print(json.dumps(names(L('r', 2))))\n"
    )
    with tf.Graph().as_default():
        assert names(L("r", 2)) == json.loads(out.strip().splitlines()[-1])  # noqa: F821


def test_with_name_scope_keeps_the_method_and_scopes_ops():
    class M(tf.Module):
        @tf.Module.with_name_scope
        def __call__(self, x):
            """Doc."""
            return tf.identity(x, name="out")

    assert M.__call__.__name__ == "__call__" and M.__call__.__doc__ == "Doc."
    with tf.Graph().as_default():
        m, m2 = M(), M()
        assert (m.name_scope.name, m2.name_scope.name) == ("m/", "m_1/")
        outs = [m(tf.constant(1.0)), m(tf.constant(1.0)), m2(tf.constant(1.0))]
        assert [t.name for t in outs] == ["m/out:0", "m/out_1:0", "m_1/out:0"]
