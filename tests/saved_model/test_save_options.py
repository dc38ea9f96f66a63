"""tf.saved_model.SaveOptions, experimental.VariablePolicy, Asset and
experimental.TrackableResource: values, defaults and validation as TF 2.21's."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = """
out = {}
VP = tf.saved_model.experimental.VariablePolicy
out["policies"] = [[p.name, p.value] for p in VP]
out["from_str"] = tf.saved_model.SaveOptions(
    experimental_variable_policy="SAVE_VARIABLE_DEVICES").experimental_variable_policy.name
o = tf.saved_model.SaveOptions()
out["defaults"] = [o.namespace_whitelist, o.save_debug_info, o.function_aliases,
                   o.experimental_debug_stripper, o.experimental_io_device,
                   o.experimental_variable_policy.name, o.experimental_custom_gradients,
                   o.experimental_image_format, o.experimental_skip_saver,
                   o.experimental_sharding_callback, o.extra_tags]
out["slots"] = sorted(tf.saved_model.SaveOptions.__slots__)
errors = []
for kwargs in ({"experimental_variable_policy": "bogus"}, {"namespace_whitelist": "a"},
               {"namespace_whitelist": [1]}):
    try:
        tf.saved_model.SaveOptions(**kwargs)
        errors.append(None)
    except Exception as e:
        errors.append([type(e).__name__, str(e).split(" Got")[0].split(":")[0]])
out["errors"] = errors
out["kept"] = tf.saved_model.SaveOptions(extra_tags=["gpu"], save_debug_info=True).extra_tags
"""


def _ours() -> dict:
    env = {"tf": tf}
    exec(PROGRAM, env)
    return env["out"]


@pytest.mark.tf
@requires_tf
def test_save_options_and_variable_policy_match_tensorflow():
    theirs = run_tf_json(PROGRAM + "\nprint(json.dumps(out))")
    assert _ours() == theirs


def test_variable_policy_values():
    vp = tf.saved_model.experimental.VariablePolicy
    assert vp.from_obj(None) is vp.NONE
    assert vp.from_obj("expand_distributed_variables") is vp.EXPAND_DISTRIBUTED_VARIABLES
    assert vp.EXPAND_DISTRIBUTED_VARIABLES._save_variable_devices()


def test_asset_needs_eager_and_holds_its_path(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("x")
    with pytest.raises(RuntimeError, match="needs eager execution"):
        tf.saved_model.Asset(str(path))
    tf.enable_v2_behavior()
    try:
        asset = tf.saved_model.Asset(str(path))
        assert asset.asset_path.numpy() == str(path).encode()
    finally:
        tf.disable_v2_behavior()


def test_trackable_resource_creates_its_handle_once():
    calls = []

    class R(tf.saved_model.experimental.TrackableResource):
        def _create_resource(self):
            calls.append(1)
            return "handle"

    r = R(device="/cpu:0")
    assert r.resource_handle == "handle" and r.resource_handle == "handle"
    assert calls == [1] and r._resource_device == "/cpu:0"
    with pytest.raises(NotImplementedError):
        tf.saved_model.experimental.TrackableResource().resource_handle  # noqa: B018
