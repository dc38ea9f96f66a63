"""Fuzzing the record readers: TFRecord files, event files and summary_iterator.

A mutated or truncated file must yield only records that were written, in order (a
CRC mismatch is always detected), and fail only with TensorFlow's error classes.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfgraph as tf
from tfgraph import errors
from tfgraph.io.tfrecord import encode_record, tf_record_iterator, write_records
from tfgraph.summary_writer import summary_iterator

FUZZ = settings(
    derandomize=True,
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RECORDS = [b"", b"first", bytes(range(256)) * 3, b"\x00" * 40, b"last one"]


def _read(path, reader=tf_record_iterator, **kwargs):
    """(records read before any error, the OpError or None)."""
    got = []
    try:
        for record in reader(path, **kwargs):
            got.append(record)
    except errors.OpError as e:
        return got, e
    return got, None


def _boundaries(records):
    out, pos = {0}, 0
    for r in records:
        pos += len(encode_record(r))
        out.add(pos)
    return out


@pytest.fixture(scope="module")
def record_file():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "r.tfrecord")
        write_records(path, RECORDS)
        with open(path, "rb") as f:
            yield f.read()


def _write(d, data):
    path = os.path.join(d, "f")
    with open(path, "wb") as f:
        f.write(data)
    return path


@settings(FUZZ)
@given(
    flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(1, 255)), min_size=1, max_size=3)
)
def test_mutated_tfrecord(record_file, flips):
    data = bytearray(record_file)
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    changed = bytes(data) != record_file
    with tempfile.TemporaryDirectory() as d:
        path = _write(d, bytes(data))
        got, err = _read(path)
        unchecked, _ = _read(path, check_crc=False)  # must not raise anything else
    assert got == RECORDS[: len(got)]
    if changed:
        assert isinstance(err, errors.DataLossError)  # never silently accepted
    assert len(unchecked) <= len(RECORDS) + len(record_file)


@settings(FUZZ)
@given(keep=st.integers(0, 1 << 16))
def test_truncated_tfrecord(record_file, keep):
    n = keep % len(record_file)
    with tempfile.TemporaryDirectory() as d:
        got, err = _read(_write(d, record_file[:n]))
    assert got == RECORDS[: len(got)]
    if n in _boundaries(RECORDS):
        assert err is None and b"".join(map(encode_record, got)) == record_file[:n]
    else:
        assert isinstance(err, errors.DataLossError) and "truncated record" in err.message


@settings(FUZZ)
@given(data=st.binary(max_size=200))
def test_garbage_tfrecord(data):
    with tempfile.TemporaryDirectory() as d:
        path = _write(d, data)
        _read(path)
        _read(path, check_crc=False)


@pytest.fixture(scope="module")
def event_file():
    with tempfile.TemporaryDirectory() as d:
        tf.reset_default_graph()
        writer = tf.summary.FileWriter(d)
        for step in range(4):
            writer.add_summary(
                tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=step / 2)]), step
            )
        writer.close()
        (name,) = os.listdir(d)
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        events = [e.SerializeToString() for e in summary_iterator(os.path.join(d, name))]
        assert len(events) == 5
        yield data, events


@settings(FUZZ)
@given(
    flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(1, 255)), max_size=3),
    keep=st.one_of(st.none(), st.integers(0, 1 << 16)),
)
def test_mutated_event_file(event_file, flips, keep):
    original, events = event_file
    data = bytearray(original)
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    if keep is not None:
        data = data[: keep % len(original)]
    with tempfile.TemporaryDirectory() as d:
        got, err = _read(_write(d, bytes(data)), reader=summary_iterator)
    got = [e.SerializeToString() for e in got]
    assert got == events[: len(got)]
    if bytes(data) != original and len(got) < len(events) and err is None:
        # only a cut exactly between records may end the file without an error
        assert len(data) in _boundaries(events)
