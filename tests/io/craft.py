"""Hand-made checkpoint bundles with arbitrary (possibly corrupt) index entries."""

from __future__ import annotations

from tfgraph import proto
from tfgraph.io.bundle import data_filename, index_filename, slice_key
from tfgraph.io.sstable import TableWriter


def entry_proto(dtype=1, shape=(), offset=0, size=0, crc=0, shard_id=0, slices=()):
    """A BundleEntryProto; `slices` is a list of [(start, length)...], length -1 = full."""
    e = proto.BundleEntryProto(dtype=dtype, offset=offset, size=size, crc32c=crc)
    e.shard_id = shard_id
    e.shape.SetInParent()
    for d in shape:
        e.shape.dim.add().size = d
    for extents in slices:
        piece = e.slices.add()
        for start, length in extents:
            ext = piece.extent.add()
            if length != -1:
                ext.start = start
                ext.length = length
    return e


def craft(prefix, entries, data=b"\0" * 64, num_shards=1):
    """Writes `prefix`'s index holding `entries` ({key bytes: BundleEntryProto}) and a
    data file holding `data`."""
    with open(data_filename(prefix, 0, num_shards), "wb") as f:
        f.write(data)
    with open(index_filename(prefix), "wb") as f:
        table = TableWriter(f)
        header = proto.BundleHeaderProto(num_shards=num_shards)
        header.version.producer = 1
        table.add(b"", header.SerializeToString())
        for key in sorted(entries):
            table.add(key, entries[key].SerializeToString())
        table.finish()


__all__ = ["craft", "entry_proto", "slice_key"]
