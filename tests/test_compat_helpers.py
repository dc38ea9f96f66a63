"""tf.compat's helpers (bytes/text, number types, forward compatibility) and the
namespace aliases TF also exposes (tf.io.decode_png, tf.dtypes.cast, ...), against TF."""

from __future__ import annotations

import json
import pathlib

import pytest

import tfgraph as tf
from tests.tfrun import requires_tf, run_tf_json

PROGRAM = r"""
import pathlib
out = {}
def err(f, *a):
    try:
        return repr(f(*a))
    except Exception as e:
        return [type(e).__name__, str(e)]
c = tf.compat
out["bytes"] = [err(c.as_bytes, "é"), err(c.as_bytes, bytearray(b"ab")), err(c.as_bytes, 3),
                err(c.as_bytes, "é", "latin-1")]
out["text"] = [err(c.as_text, b"\xc3\xa9"), err(c.as_str, "x"), err(c.as_text, [1]),
               err(c.as_str_any, b"y"), err(c.as_str_any, 3.5)]
out["path"] = [err(c.path_to_str, pathlib.PurePosixPath("/a/b")), err(c.path_to_str, 7)]
out["types"] = [isinstance(v, t) for v in (1, 2.5, 1j, np.int8(3), np.float16(1), True)
                for t in (c.integral_types, c.real_types, c.complex_types, c.bytes_or_text_types)]
out["fwd"] = [c.forward_compatible(2026, 1, 15), c.forward_compatible(2026, 1, 16)]
with c.forward_compatibility_horizon(2030, 1, 1):
    out["fwd"].append(c.forward_compatible(2029, 12, 31))
with c.forward_compatibility_horizon(2000, 1, 1):
    out["fwd"].append(c.forward_compatible(2026, 1, 15))
out["fwd"].append(c.forward_compatible(2029, 12, 31))
out["dims"] = [c.dimension_value(tf.TensorShape([3, None])[0]),
               c.dimension_value(tf.TensorShape([3, None])[1]),
               c.dimension_value(c.dimension_at_index(tf.TensorShape([4, 5]), 1))]
with tf.Graph().as_default():
    x = tf.constant([1.5, -2.0])
    vals = [tf.dtypes.cast(x, tf.int32), tf.dtypes.saturate_cast(tf.constant([300.0]), tf.uint8),
            tf.dtypes.as_string(x), tf.dtypes.complex(x, x), tf.math.zero_fraction(x),
            tf.debugging.is_nan(x), tf.debugging.assert_scalar(tf.constant(1.0)),
            tf.io.decode_base64(tf.io.encode_base64(tf.constant("hi")))]
    names = [v.name for v in vals]
    with tf.Session() as s:
        got = s.run(vals)
    out["aliases"] = [names, [np.asarray(g).tolist() if not isinstance(g, bytes) else g.decode()
                              for g in got[:2] + got[4:6]],
                      [v.decode() for v in got[2]], got[7].decode()]
print(json.dumps(out, default=str))
"""


def _ours() -> dict:
    import numpy as np

    env = {"tf": tf, "np": np, "json": json, "print": lambda s: env.__setitem__("_out", s)}
    exec(PROGRAM, env)
    return json.loads(env["_out"])


@pytest.mark.tf
@requires_tf
def test_compat_helpers_match_tf():
    assert _ours() == run_tf_json(PROGRAM)


def test_compat_helpers():
    out = _ours()
    assert out["bytes"][2] == ["TypeError", "Expected binary or unicode string, got 3"]
    assert out["fwd"] == [True, False, True, True, False]
    assert out["dims"] == [3, None, 5]
    assert tf.compat.path_to_str(pathlib.Path("/x")) == "/x"
    with pytest.raises(AttributeError, match="turns on TF2 behaviour"):
        tf.compat.v2  # noqa: B018
