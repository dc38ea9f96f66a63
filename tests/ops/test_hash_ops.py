"""String hash buckets (FarmHash Fingerprint64, TF's Hash64, SipHash-2-4) against TF."""

from __future__ import annotations

import pytest

from tests.ops.test_data_flow_ops import run_both, run_here
from tests.tfrun import requires_tf

PROGRAM = """
words = [b"", b"a", b"abc", b"abcd", b"hello world", b"x" * 17, b"y" * 33, b"z" * 64,
         b"The quick brown fox jumps over the lazy dog" * 3, bytes(range(256)) * 2,
         "caf\\u00e9".encode()]
w = tf.constant(words)
outs = [
    tf.string_to_hash_bucket_fast(w, 2**63 - 1),
    tf.strings.to_hash_bucket_fast(tf.reshape(w[:10], [2, 5]), 7),
    tf.string_to_hash_bucket(w, 1000003),
    tf.strings.to_hash_bucket(w, 2**62),
    tf.string_to_hash_bucket_strong(w, 1000003, [1, 2]),
    tf.strings.to_hash_bucket_strong(w, 2**62, [-5, 77]),
]
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(o.shape) for o in outs],
}
with tf.Session() as s:
    result["values"] = s.run(outs)
"""


@pytest.mark.tf
@requires_tf
def test_hash_buckets_match_tf():
    here, theirs = run_both(PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key


def test_hash_buckets():
    r = run_here(PROGRAM)
    # (values recorded from TF 2.21)
    assert r["values"][0][:3] == [1936946117179621456, 3694432073954588132, 2640714258260161385]
    assert r["values"][2][:2] == [598820, 789371]
    assert r["values"][4][:2] == [383377, 332029]


FINGERPRINT_PROGRAM = """
fps = [
    tf.fingerprint(tf.constant([[1, 2], [3, 4], [5, 6]], tf.int32)),
    tf.fingerprint(tf.constant([1.5, -2.0], tf.float64)),
    tf.fingerprint(tf.constant(["hello", "", "a" * 70])),
    tf.fingerprint(tf.constant([["ab", "cd"], ["ef", "gh"]])),
    tf.fingerprint(tf.zeros([2, 0], tf.int64)),
]
result = {
    "ops": sorted(o.name + ":" + o.type for o in tf.get_default_graph().get_operations()),
    "shapes": [str(f.shape) for f in fps],
}
with tf.Session() as s:
    result["values"] = s.run(fps)
"""


@pytest.mark.tf
@requires_tf
def test_fingerprint_matches_tf():
    here, theirs = run_both(FINGERPRINT_PROGRAM)
    for key in theirs:
        assert here[key] == theirs[key], key
