"""TF2-only names of `tfgraph.compat.v2` against TF 2.21 itself: `tf.errors.
OperatorNotAllowedInGraphError`, `tf.data.IteratorSpec`, `tf.saved_model.LoadOptions`,
`tf.train.CheckpointView` and `tf.train.TrackableView`. Each program runs under TF2 and
under tfgraph (in a subprocess: compat.v2 turns TF2 behaviour on) and prints JSON."""

from __future__ import annotations

import pytest

from tests import tfrun
from tests.compat.test_v2_values import _close, _tfgraph_v2

_ERRORS = """
E = tf.errors.OperatorNotAllowedInGraphError
out = {"bases": [issubclass(E, TypeError), issubclass(E, tf.errors.OpError)]}
with tf.Graph().as_default():
    t = tf.constant(True)
    for what, use in [("bool", bool), ("iter", iter)]:
        try:
            use(t)
            out[what] = None
        except E as e:
            out[what] = [type(e).__name__, "not allowed" in str(e)]
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_operator_not_allowed_in_graph_error():
    got = _tfgraph_v2(_ERRORS)
    want = tfrun.run_tf_json(_ERRORS, v1=False)
    assert got == want
    assert got["bases"] == [True, False] and got["bool"] == got["iter"]


_ITERATOR_SPEC = """
ds = tf.data.Dataset.from_tensor_slices(({"a": [1, 2]}, [1.0, 2.0]))
it = iter(ds)
spec = tf.data.IteratorSpec(ds.element_spec)
other = tf.data.IteratorSpec(tf.TensorSpec([None]))
out = {
    "repr": repr(spec),
    "value_type": spec.value_type is type(it),
    "eq": [spec == tf.data.IteratorSpec(ds.element_spec), spec == other, spec != other],
    "hash": hash(spec) == hash(tf.data.IteratorSpec(ds.element_spec)),
    "compatible": [spec.is_compatible_with(it), spec.is_compatible_with(other),
                   tf.data.IteratorSpec(tf.TensorSpec([2])).is_compatible_with(other),
                   tf.data.IteratorSpec(tf.TensorSpec([2])).is_compatible_with(
                       tf.data.IteratorSpec(tf.TensorSpec([2], tf.int32)))],
    "from_value": tf.data.IteratorSpec.from_value(it) == spec,
    "components": repr(spec._component_specs),
}
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_iterator_spec():
    _close(_tfgraph_v2(_ITERATOR_SPEC), tfrun.run_tf_json(_ITERATOR_SPEC, v1=False))


_LOAD_OPTIONS = """
import tempfile
O = tf.saved_model.LoadOptions
attrs = ["allow_partial_checkpoint", "experimental_io_device", "experimental_skip_checkpoint",
         "experimental_variable_policy", "experimental_load_function_aliases"]
def show(o):
    return [str(getattr(o, a)) for a in attrs]
out = {"default": show(O()),
       "set": show(O(True, "/job:localhost", False, "save_variable_devices", True)),
       "policy": str(O(experimental_variable_policy=
                       tf.saved_model.experimental.VariablePolicy.EXPAND_DISTRIBUTED_VARIABLES)
                     .experimental_variable_policy)}
try:
    O(experimental_variable_policy="nope")
except ValueError as e:
    out["bad_policy"] = str(e)
d = tempfile.mkdtemp()
m = tf.Module()
m.v = tf.Variable([1.0, 2.0])
m.v.assign([3.0, 4.0])
tf.saved_model.save(m, d)
out["loaded"] = tf.saved_model.load(d, options=O(allow_partial_checkpoint=True)).v.numpy().tolist()
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_load_options():
    _close(_tfgraph_v2(_LOAD_OPTIONS), tfrun.run_tf_json(_LOAD_OPTIONS, v1=False))


_VIEWS = """
import tempfile
class M(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.a_var = tf.Variable(5.0)
        self.b_var = tf.Variable(4.0)
        self.vars = [tf.Variable(1.0), tf.Variable(2.0)]
root = M(name="root")
leaf = root.leaf = M(name="leaf")
leaf.leaf3 = tf.Variable(6.0)
path = tf.train.Checkpoint(model=root).save(tempfile.mkdtemp() + "/c")
view = tf.train.CheckpointView(path)
out = {"children": [view.children(i) for i in range(3)], "descendants": view.descendants()}
def show(o):
    return float(o.numpy()) if hasattr(o, "numpy") else len(o) if hasattr(o, "__len__") else "obj"
root2 = M(name="root")
root2.leaf2 = M(name="leaf2")
ckpt2 = tf.train.Checkpoint(model=root2)
matched, only_ckpt, only_live = view.diff(ckpt2)
out["match"] = {str(k): show(v) for k, v in sorted(view.match(ckpt2).items()) if k}
out["diff"] = [{str(k): show(v) for k, v in sorted(matched.items()) if k}, only_ckpt,
               sorted(str(show(o)) for o in only_live)]
tv = tf.train.TrackableView(root)
out["tv_children"] = sorted(tv.children(root))
out["tv_root"] = tv.root is root
out["tv_descendants"] = [show(o) for o in tv.descendants()][1:]
try:
    view.match(3)
except ValueError as e:
    out["match_error"] = str(e)
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_checkpoint_and_trackable_views():
    _close(_tfgraph_v2(_VIEWS), tfrun.run_tf_json(_VIEWS, v1=False))


_SERIALIZED = """
out = {"loss": tf.losses.serialize(tf.losses.MeanSquaredError()),
       "loss_fn": tf.losses.serialize(tf.losses.mean_squared_error),
       "loss_legacy": tf.losses.serialize(tf.losses.Huber(2.0), True),
       "init": tf.initializers.serialize(tf.initializers.Constant(2.0)),
       "init_legacy": tf.initializers.serialize(tf.initializers.Constant(3.0), True)}
print(json.dumps(out))
"""

_DESERIALIZE = """
configs = json.loads({configs!r})
def show(o):
    if not hasattr(o, "get_config"):
        return [type(o).__name__, o.__name__]
    config = o.get_config()
    config.pop("dtype", None)  # (tfgraph's tf.initializers are Keras 2's v1 classes)
    return [type(o).__name__, config]
class MyInit(tf.initializers.Constant):
    pass
out = {{k: show((tf.losses if k.startswith("loss") else tf.initializers).deserialize(c))
       for k, c in configs.items()}}
out["legacy_flag"] = show(tf.losses.deserialize(configs["loss_legacy"], None, True))
out["custom"] = show(tf.initializers.deserialize({{"class_name": "MyInit",
                                                  "config": {{"value": 1.0}}}},
                                                 {{"MyInit": MyInit}}))
out["mine"] = show(tf.losses.deserialize(tf.losses.serialize(tf.losses.Huber(0.5), False)))
out["get"] = type(tf.optimizers.get("adam", use_legacy_optimizer=True)).__name__
try:
    tf.optimizers.get("adam", foo=1)
except TypeError as e:
    out["get_error"] = str(e).startswith("Invalid keyword arguments: {{'foo': 1}}")
print(json.dumps(out))
"""


@tfrun.requires_tf
@pytest.mark.tf
def test_keras_serialize_deserialize_read_tf2_configs():
    """TF2 writes Keras's new format ({"module", "class_name", "config",
    "registered_name"}); tfgraph reads it and the legacy one, and TF2 reads tfgraph's."""
    import json

    configs = json.dumps(tfrun.run_tf_json(_SERIALIZED, v1=False))
    code = _DESERIALIZE.format(configs=configs)
    got = _tfgraph_v2(code)
    want = tfrun.run_tf_json(code, v1=False)
    _close(got, want)
