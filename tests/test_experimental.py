"""tf.experimental and tf.dtypes.experimental: the names with graph meaning, against TF."""

from __future__ import annotations

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_here_json, run_tf_json

NARROW = [
    "int4",
    "uint4",
    "int2",
    "uint2",
    "float8_e5m2",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e4m3b11fnuz",
    "float8_e5m2fnuz",
    "float4_e2m1fn",
]
DESCRIBE = """
def describe(d):
    return [d.name, d.as_datatype_enum, d.size, d.is_floating, d.is_integer, d.is_unsigned,
            float(d.min), float(d.max), repr(d), str(d), d._as_ref.as_datatype_enum,
            tf.as_dtype(d.name) is d, tf.as_dtype(d.as_datatype_enum) is d,
            getattr(tf.experimental, d.name) is getattr(tf.dtypes.experimental, d.name)]
"""


@pytest.mark.tf
@requires_tf
def test_narrow_dtypes_equal_tf():
    code = DESCRIBE + f"print(json.dumps([describe(tf.as_dtype(n)) for n in {NARROW!r}]))"
    theirs = run_tf_json(code)
    namespace: dict = {"tf": tf}
    exec(DESCRIBE, namespace)
    ours = [namespace["describe"](tf.as_dtype(n)) for n in NARROW]
    assert ours == theirs


def test_narrow_values_need_ml_dtypes():
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        with pytest.raises(TypeError, match="ml_dtypes"):
            tf.constant([1, 2], dtype=tf.experimental.int4)
    else:
        c = tf.constant([1, 2], dtype=tf.experimental.int4)
        assert c.dtype is tf.experimental.int4


@pytest.mark.tf
@requires_tf
def test_graph_mode_behaviour_equals_tf(tmp_path):
    code = """
def attempt(f):
    try:
        return ["ok", repr(f())]
    except Exception as e:
        return [type(e).__name__, str(e)]

def in_async_scope():
    with tf.experimental.async_scope():
        pass

def in_executor_scope():
    with tf.experimental.function_executor_type("SINGLE_THREADED_EXECUTOR"):
        return 1

print(json.dumps([
    attempt(tf.experimental.async_clear_error),
    attempt(in_async_scope),
    attempt(in_executor_scope),
    attempt(lambda: tf.experimental.output_all_intermediates(True)),
    attempt(lambda: tf.experimental.register_filesystem_plugin("/nonexistent/plugin.so")),
    tf.experimental.Optional is tf.data.experimental.Optional,
]))
"""
    theirs = run_tf_json(code)
    ours = run_here_json(code.replace("json.dumps", "__import__('json').dumps"))
    assert ours == theirs


def test_strict_mode_and_filesystem_plugins(tmp_path):
    assert tf.experimental.enable_strict_mode() is None
    plugin = tmp_path / "plugin.so"
    plugin.write_bytes(b"\0" * 16)
    with pytest.raises(NotImplementedError, match="C\\+\\+"):
        tf.experimental.register_filesystem_plugin(str(plugin))


def test_types_experimental():
    import typing

    members = typing.get_args(tf.types.experimental.TensorLike)
    assert members[0] is tf.Tensor and int in members and list in members
    sig = tf.types.experimental.FunctionType.from_callable(lambda a, b=1: a)
    assert isinstance(sig, tf.types.experimental.FunctionType)
    assert list(sig.parameters) == ["a", "b"]
