"""tf.strings.unsorted_segment_join: the same program in tfgraph and in TF gives the same
values, static shapes, node names and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tfrun import requires_tf, run_here_json, run_tf_json

PROGRAM = (Path(__file__).parent / "unsorted_segment_join_program.txt").read_text()


def _ours():
    return run_here_json(PROGRAM)


def test_segments_join_in_order_with_the_separator():
    got = _ours()
    assert got[0] == [
        "(3, 2)",
        "UnsortedSegmentJoin",
        "[[b'c', b'd'], [b'a:e', b'b:f'], [b'', b'']]",
    ]
    assert got[4][0] == "InvalidArgumentError" and "exceed num_segments" in got[4][1]
    assert got[7][0] == "ValueError" and "Dimensions must be equal, but are 3 and 2" in got[7][1]


@pytest.mark.tf
@requires_tf
def test_unsorted_segment_join_matches_tf():
    assert _ours() == run_tf_json(PROGRAM)
