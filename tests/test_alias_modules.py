"""tf.manip and tf.version: TF1's alias modules, with TF 2.21's members."""

from __future__ import annotations

import pytest

import tfgraph as tf
import tfgraph.compat.v1 as v1
from tests.tfrun import requires_tf, run_tf_json

MEMBERS = {
    "manip": [
        "batch_to_space_nd", "gather_nd", "reshape", "reverse", "roll", "scatter_nd",
        "space_to_batch_nd", "tile",
    ],
    "version": [
        "GIT_VERSION", "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER",
        "GRAPH_DEF_VERSION_MIN_PRODUCER", "VERSION",
    ],  # (COMPILER_VERSION: TF's C++ compiler; see docs/api_exclusions.md)
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(MEMBERS))
def test_members_are_the_top_level_names(module):
    for name in MEMBERS[module]:
        assert getattr(getattr(tf, module), name) is getattr(tf, name)
        assert getattr(getattr(v1, module), name) is getattr(tf, name)


def test_spectral_has_the_complex_transforms():
    for name in ("fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d"):
        assert getattr(tf.spectral, name) is getattr(tf, name)


def test_manip_roll_in_a_graph():
    with tf.Graph().as_default():
        y = tf.manip.roll(tf.constant([1, 2, 3, 4]), 1, 0)
        with tf.Session() as sess:
            assert sess.run(y).tolist() == [4, 1, 2, 3]


@pytest.mark.tf
@requires_tf
def test_members_match_tf():
    theirs = run_tf_json(
        "print(json.dumps({m: sorted(n for n in dir(getattr(tf, m)) if not n.startswith('_'))"
        f" for m in {sorted(MEMBERS)!r}}}))"
    )
    assert theirs["manip"] == MEMBERS["manip"]
    assert sorted(set(theirs["version"]) - {"COMPILER_VERSION"}) == MEMBERS["version"]
    versions = run_tf_json(
        "print(json.dumps([tf.version.VERSION, tf.version.GRAPH_DEF_VERSION_MIN_CONSUMER,"
        " tf.version.GRAPH_DEF_VERSION_MIN_PRODUCER]))"
    )
    assert versions == [
        tf.version.VERSION,
        tf.GRAPH_DEF_VERSION_MIN_CONSUMER,
        tf.GRAPH_DEF_VERSION_MIN_PRODUCER,
    ]
