"""TF2 SavedModel programs run by both real TensorFlow 2 and tfgraph (with `tf` bound to
either): `write_model` saves a tf.Module with variables, a list and dict of variables,
a captured constant, an asset and tf.functions (with and without input signatures,
traced twice, stateful), `read_model` loads it and reports what it holds and computes.
tools/make_saved_model_v2_goldens.py writes TF's results to tests/data/golden."""

WRITE = """
def write_model(export_dir, asset_file):
    with open(asset_file, "w") as f:
        f.write("alpha\\nbeta\\n")

    class Inner(tf.Module):
        def __init__(self):
            super().__init__()
            self.vs = [tf.Variable(1.5, name="v0"), tf.Variable([2.0, -1.0], name="v1")]
            self.table = {"k": tf.Variable([1, 2, 3], name="k", trainable=False)}

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.inner = Inner()
            self.w = tf.Variable([[1.0, 2.0], [3.0, -4.0]], name="w")
            self.b = tf.Variable([0.5, -0.5], name="b")
            self.count = tf.Variable(0, name="count")
            self.scale = tf.constant(3.0)
            self.vocab = tf.saved_model.Asset(asset_file)

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="x")])
        def __call__(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

        @tf.function
        def scaled(self, x, n=2):
            return {"y": x * self.scale * float(n) + self.inner.vs[0], "z": self.inner.vs[1] * 2.0}

        @tf.function(input_signature=[])
        def bump(self):
            self.count.assign_add(1)
            return self.count.read_value()

        @tf.function(input_signature=[])
        def vocab_path(self):
            return tf.identity(self.vocab.asset_path)

    m = Model()
    m.scaled(tf.constant([1.0, 2.0]))
    m.scaled(tf.constant(1.0), 3)
    m.bump()
    signatures = {
        "serving_default": m.__call__,
        "scaled": m.scaled.get_concrete_function(tf.TensorSpec([None], tf.float32, name="x")),
        "bump": m.bump,
    }
    tf.saved_model.save(m, export_dir, signatures=signatures)
"""

READ = """
def read_model(export_dir):
    import os

    def lists(d):
        return {k: v.numpy().tolist() for k, v in sorted(d.items())}

    m = tf.saved_model.load(export_dir)
    out = {"signatures": sorted(m.signatures.keys())}
    out["variables"] = {
        "w": m.w.numpy().tolist(), "b": m.b.numpy().tolist(), "count": int(m.count.numpy()),
        "v0": float(m.inner.vs[0].numpy()), "v1": m.inner.vs[1].numpy().tolist(),
        "k": m.inner.table["k"].numpy().tolist(),
    }
    out["trainable"] = [bool(m.w.trainable), bool(m.inner.table["k"].trainable)]
    out["dtypes"] = [m.w.dtype.name, m.count.dtype.name, m.inner.table["k"].dtype.name]
    x = tf.constant([[1.0, -1.0], [0.5, 2.0]])
    out["call"] = m(x).numpy().tolist()
    out["serving_default"] = lists(m.signatures["serving_default"](x=x))
    out["scaled_sig"] = lists(m.signatures["scaled"](x=tf.constant([1.0, 0.0, -2.0])))
    out["scaled_vector"] = lists(m.scaled(tf.constant([1.0, 2.0])))
    out["scaled_scalar_3"] = lists(m.scaled(tf.constant(1.0), 3))
    out["bump"] = [int(m.bump().numpy()), int(m.signatures["bump"]()["output_0"].numpy())]
    out["count_after"] = int(m.count.numpy())
    path = m.vocab_path().numpy().decode()
    with open(path) as f:
        out["vocab"] = f.read()
    out["vocab_in_assets"] = os.path.dirname(path) == os.path.join(export_dir, "assets")
    return out
"""

# Control flow and a nested tf.function: TF2 writes If/While and a call of a second
# library function; tfgraph's traces write TF1 Switch/Merge and Enter/Exit frames.
WRITE_CONTROL_FLOW = """
def write_control_flow(export_dir):
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function
        def helper(self, x):
            return x * self.v

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            y = tf.cond(x > 0, lambda: self.helper(x), lambda: -x)
            _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y + 1.0),
                                 [tf.constant(0), y])
            return y

    tf.saved_model.save(M(), export_dir)
"""

READ_CONTROL_FLOW = """
def read_control_flow(export_dir):
    m = tf.saved_model.load(export_dir)
    sig = m.signatures["serving_default"]
    return [float(m.f(tf.constant(3.0)).numpy()), float(m.f(tf.constant(-3.0)).numpy()),
            float(sig(x=tf.constant(1.0))["output_0"].numpy())]
"""
