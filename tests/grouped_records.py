"""Helpers of the tests of records moved in groups (tests/client/test_record_batches.py,
tests/ops/test_dataset_groups.py): TFRecord files of MNIST-style Examples, a corrupted
record, and a pipeline built and drained once grouped and once record by record."""

from __future__ import annotations

import tfgraph as tf
from tfgraph.framework import rows


def example(image, label, extra=None) -> bytes:
    """A serialized Example: float `image`, int64 `label` (and bytes `extra`)."""
    feature = {
        "image": tf.train.Feature(float_list=tf.train.FloatList(value=image)),
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
    }
    if extra is not None:
        feature["extra"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[extra]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write(path, payloads) -> str:
    """A TFRecord file of `payloads` at `path`; its name."""
    with tf.io.TFRecordWriter(str(path)) as writer:
        for p in payloads:
            writer.write(p)
    return str(path)


def payload_offset(payloads, k: int) -> int:
    """Where record `k`'s payload starts in the file of `payloads`."""
    return sum(16 + len(p) for p in payloads[:k]) + 12


def flip_byte(path, offset: int) -> None:
    """Corrupts the byte at `offset` of the file (in a payload: its CRC fails)."""
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 0xFF]))


def grouped_and_single(monkeypatch, build) -> list:
    """`build()`'s result in a fresh graph, in groups of 32 and then record by record."""
    results = []
    for group in (32, 1):
        monkeypatch.setattr(rows, "GROUP", group)
        with tf.Graph().as_default():
            results.append(build())
    return results
