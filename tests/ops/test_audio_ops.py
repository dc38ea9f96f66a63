"""tf.audio.encode_wav / decode_wav against TF: bytes, values, shapes, channel and
sample adjustment, errors."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
x = tf.constant(np.array([[0.0, 1.0], [-1.0, 0.5], [0.25, -0.3333], [2.0, -2.0],
                          [0.00001, -0.00002]], np.float32))
enc = tf.audio.encode_wav(x, 8000)
mono = tf.audio.encode_wav(tf.constant([[0.1], [-0.7]]), tf.constant(44100))
dec = tf.audio.decode_wav(enc)
dec1 = tf.audio.decode_wav(enc, desired_channels=1, desired_samples=7)
dec3 = tf.audio.decode_wav(enc, desired_channels=3, desired_samples=3)
result = {"ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
          "shapes": [str(t.shape) for t in (enc, dec.audio, dec.sample_rate, dec1.audio,
                                           dec3.audio)],
          "fields": list(dec._fields)}
with tf.Session() as s:
    e, m, d, d1, d3 = s.run([enc, mono, dec, dec1, dec3])
    result["bytes"] = [e.hex(), m.hex()]
    result["values"] = [d.audio.tolist(), int(d.sample_rate), d1.audio.tolist(),
                        d3.audio.tolist()]
    errors = []
    for bad in (b"garbage", e[:30], e[:12] + b"fmt " + b"\\x10\\x00\\x00\\x00\\x03\\x00"):
        try:
            s.run(tf.audio.decode_wav(tf.constant(bad)).audio)
        except tf.errors.InvalidArgumentError as ex:
            lines = [ln for ln in ex.message.splitlines() if ln.strip() and "[[" not in ln
                     and not ln.startswith(("Node:", "  ", "Graph execution", "Detected at"))]
            errors.append(lines[-1])
    result["errors"] = errors
"""


@pytest.mark.tf
@requires_tf
def test_wav_matches_tf():
    here, theirs = run_both(PROGRAM)
    assert here == theirs


def test_wav_round_trip():
    r = run_here(PROGRAM)
    audio, rate, mono_channel, three = r["values"]
    assert rate == 8000 and audio[1] == [-1.0, 0.5] and audio[3] == [32767 / 32768, -1.0]
    assert mono_channel[-1] == [0.0] and three[0][2] == three[0][1]
    assert r["errors"][0] == "Header mismatch: Expected RIFF but found garb"
