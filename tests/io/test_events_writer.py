"""Event files: TF's naming and first event, lazy creation, CRC-checked reading, and
reading the event file real TensorFlow wrote (golden)."""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import pytest

from tests.golden import golden
from tfgraph import errors, proto
from tfgraph.io.events_writer import (
    FILE_VERSION,
    WRITER_NAME,
    EventsWriter,
    event_file_name,
    read_events,
)


def _scalar_event(step: int, value: float) -> bytes:
    e = proto.Event(wall_time=123.5, step=step)
    v = e.summary.value.add()
    v.tag = "loss"
    v.simple_value = value
    return e.SerializeToString()


def test_event_file_name_format():
    assert event_file_name("d/events", 12345, "host") == "d/events.out.tfevents.0000012345.host"
    assert (
        event_file_name("events", 1795299131, "vm", ".x") == "events.out.tfevents.1795299131.vm.x"
    )
    assert event_file_name("e", 1).endswith("." + socket.gethostname())


def test_writer_creates_file_lazily_with_first_event(tmp_path):
    w = EventsWriter(tmp_path / "events")
    assert w.filename is None and os.listdir(tmp_path) == []
    before = int(time.time())
    w.write_event(_scalar_event(1, 0.5))
    w.write_event(_scalar_event(2, 0.25))
    w.close()
    (name,) = os.listdir(tmp_path)
    m = re.fullmatch(r"events\.out\.tfevents\.(\d{10})\." + re.escape(socket.gethostname()), name)
    assert m and before <= int(m.group(1)) <= int(time.time())
    events = list(read_events(tmp_path / name))
    first = events[0]
    assert first.wall_time == float(int(m.group(1)))
    assert first.file_version == FILE_VERSION == "brain.Event:2"
    assert first.source_metadata.writer == WRITER_NAME
    assert first.step == 0 and not first.HasField("summary")
    assert [(e.step, e.summary.value[0].simple_value) for e in events[1:]] == [(1, 0.5), (2, 0.25)]


def test_first_event_bytes_match_tf_layout(tmp_path):
    w = EventsWriter(tmp_path / "events", ".sfx")
    w.init()
    path = w.filename
    assert path.endswith(".sfx") and os.path.exists(path)
    w.close()
    data = Path(path).read_bytes()
    # (length, length crc, payload, crc): wall_time, file_version, source_metadata.
    payload = data[12:-4]
    assert (
        payload[0] == 0x09 and payload[9:11] == b"\x1a\x0d" and payload[11:24] == b"brain.Event:2"
    )
    assert payload[24:] == b"\x52\x24\x0a\x22" + WRITER_NAME.encode()


def test_same_second_writers_never_clobber_each_other(tmp_path):
    a, b = EventsWriter(tmp_path / "events"), EventsWriter(tmp_path / "events")
    a.write_event(_scalar_event(1, 1.0))
    b.write_event(_scalar_event(2, 2.0))
    a.close()
    b.close()
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 2
    steps = sorted(list(read_events(tmp_path / n))[1].step for n in names)
    assert steps == [1, 2]


def test_write_after_close_opens_a_new_file(tmp_path):
    w = EventsWriter(tmp_path / "events")
    w.write_event(_scalar_event(1, 1.0))
    w.close()
    first = w.filename
    w.write_event(_scalar_event(2, 2.0))
    w.close()
    assert w.filename != first
    assert [e.step for e in read_events(w.filename)] == [0, 2]


def test_corruption_is_detected(tmp_path):
    w = EventsWriter(tmp_path / "events")
    w.write_event(_scalar_event(1, 1.0))
    w.close()
    data = bytearray(Path(w.filename).read_bytes())
    data[-6] ^= 0xFF  # inside the last record's payload
    bad = tmp_path / "bad.tfevents"
    bad.write_bytes(bytes(data))
    with pytest.raises(errors.DataLossError, match="corrupted record"):
        list(read_events(bad))
    truncated = tmp_path / "cut.tfevents"
    truncated.write_bytes(bytes(data[:-3]))
    with pytest.raises(errors.DataLossError, match="truncated record"):
        list(read_events(truncated))
    with pytest.raises(errors.NotFoundError):
        list(read_events(tmp_path / "missing"))


def test_reads_the_event_file_tf_wrote():
    folder = golden("tf", "events")
    (name,) = [n for n in os.listdir(folder) if "tfevents" in n]
    events = list(read_events(folder / name))
    kinds = [e.WhichOneof("what") for e in events]
    assert kinds == ["file_version", "graph_def", "meta_graph_def", "summary", "summary", "summary"]
    assert events[0].file_version == "brain.Event:2"
    assert events[0].source_metadata.writer == WRITER_NAME
    assert events[0].wall_time == int(name.split(".")[3])
    graph = proto.GraphDef.FromString(events[1].graph_def)
    assert graph.versions.producer == 2474
    names = {n.name for n in graph.node}
    assert {"v", "w", "loss", "loss/tags"} <= names
    v = next(n for n in graph.node if n.name == "v")
    assert v.op == "VariableV2" and "_output_shapes" in v.attr
    meta = proto.MetaGraphDef.FromString(events[2].meta_graph_def)
    assert "summaries" in meta.collection_def and len(meta.graph_def.node) == len(graph.node)
    scalars = [(e.step, v.tag, v.simple_value) for e in events[3:] for v in e.summary.value]
    assert scalars == [(0, "loss", 18.0), (1, "loss", 18.0), (2, "loss", 18.0)]


def test_first_event_equals_tfs_but_for_the_time(tmp_path):
    folder = golden("tf", "events")
    (name,) = [n for n in os.listdir(folder) if "tfevents" in n]
    tf_first = next(iter(read_events(folder / name)))
    w = EventsWriter(tmp_path / "events")
    w.init()
    w.close()
    ours = next(iter(read_events(w.filename)))
    ours.wall_time = tf_first.wall_time
    assert ours.SerializeToString() == tf_first.SerializeToString()


def test_record_that_is_not_an_event(tmp_path):
    from tfgraph.io.tfrecord import write_records
    from tfgraph.summary_writer import summary_iterator

    path = tmp_path / "events.out.tfevents.1.host"
    good = proto.Event(step=1).SerializeToString()
    write_records(path, [good, b"\xff\xff\xff"])  # valid framing, not a proto
    it = summary_iterator(str(path))
    assert next(it).step == 1
    with pytest.raises(errors.DataLossError, match="record 1 is not an Event proto"):
        next(it)
