"""TF1's entry points into TF2-style summaries: `tf.summary.initialize` and
`tf.summary.all_v2_summary_ops`.

TF2 summary ops (`tf.summary.create_file_writer` and the ops writing through it) are not
part of TF1's API, so a TF1 graph has no default summary writer: `initialize` raises
TF's RuntimeError in graph mode (and is a no-op eagerly), and `all_v2_summary_ops` lists
the graph's `_SUMMARY_V2` collection, where such ops would be registered.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import threading

import numpy as np

from tfgraph.eager.context import executing_eagerly
from tfgraph.framework import dtypes
from tfgraph.framework.graph import get_collection, get_default_graph

__all__ = ["all_v2_summary_ops", "initialize"]

_SUMMARY_COLLECTION = "_SUMMARY_V2"


def initialize(graph=None, session=None) -> None:
    """Initializes the default TF2 summary writer for graph execution (TF1 name).

    Raises:
        RuntimeError: in graph mode: TF1 graphs have no default summary writer (use
            `tf.summary.FileWriter` with `tf.summary.scalar` & co.).
    """
    if executing_eagerly():
        return
    raise RuntimeError("No default tf.contrib.summary.SummaryWriter found")


def all_v2_summary_ops():
    """The graph's TF2 summary ops (the `_SUMMARY_V2` collection; TF1 `tf.summary` ops are
    not in it), or None when executing eagerly."""
    if executing_eagerly():
        return None
    return get_collection(_SUMMARY_COLLECTION)


# -- TF2's tf.summary: a default writer, then scalar/histogram/image/text(name, data, step)
# Eager only: each call writes one Event straight away through the writer's
# EventFileWriter (TF2 runs a WriteSummary op on the writer resource; the file is the same).
class _SummaryState(threading.local):
    def __init__(self) -> None:
        self.writer: SummaryWriter | None = None
        self.step: object = None
        self.is_recording: object = True


_state = _SummaryState()

_PLUGIN_CONTENT = b""
_writer_numbers = itertools.count()  # every plugin's *PluginData(version=0) serializes to nothing


class SummaryWriter:
    """TF2's `tf.summary.SummaryWriter`: the writer `tf.summary.*` write to while it is
    the default (`with writer.as_default(step=...)`, or `set_as_default`)."""

    def set_as_default(self, step=None) -> None:
        """Makes this the default writer (and `step`, if given, the default step) until
        another is set."""
        _state.writer = self
        if step is not None:
            _state.step = step

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Makes this the default writer (and `step`, if given, the default step) inside
        the `with` block; the writer is flushed when it ends."""
        old_writer, old_step = _state.writer, _state.step
        self.set_as_default(step)
        try:
            yield self
        finally:
            _state.writer, _state.step = old_writer, old_step
            self.flush()

    def init(self) -> None:
        """Does nothing: the writer opens its file when created."""

    def flush(self) -> None:
        """Writes buffered events to disk."""

    def close(self) -> None:
        """Flushes and closes the writer."""

    def _write_event(self, event_bytes: bytes) -> None:
        pass


class _FileSummaryWriter(SummaryWriter):
    def __init__(self, logdir, max_queue, flush_millis, filename_suffix) -> None:
        from tfgraph.summary_writer import EventFileWriter

        # TF2's file name: events.out.tfevents.<time>.<host>.<pid>.<writer number>.<suffix>
        suffix = f".{os.getpid()}.{next(_writer_numbers)}.{filename_suffix.removeprefix('.')}"
        self._writer = EventFileWriter(
            logdir, max_queue=max_queue, flush_secs=flush_millis / 1000.0, filename_suffix=suffix
        )
        self._closed = False

    def flush(self) -> None:
        if not self._closed:
            self._writer.flush()

    def close(self) -> None:
        if not self._closed:
            self._writer.close()
            self._closed = True

    def _write_event(self, event_bytes: bytes) -> None:
        if self._closed:
            raise RuntimeError("tf.summary: the SummaryWriter is closed; create a new one")
        self._writer.add_event(event_bytes)


def create_file_writer(
    logdir,
    max_queue=None,
    flush_millis=None,
    filename_suffix=None,
    name=None,
    experimental_trackable=False,
    experimental_mesh=None,
) -> SummaryWriter:
    """TF2's `tf.summary.create_file_writer`: a SummaryWriter writing an event file
    (suffix ".v2") in `logdir`, flushed every `flush_millis` (default 2 minutes) or when
    `max_queue` (default 10) events wait."""
    del name, experimental_trackable
    if experimental_mesh is not None:
        raise NotImplementedError(
            "tf.summary.create_file_writer: experimental_mesh is a DTensor mesh, which "
            "tfgraph does not provide; pass experimental_mesh=None"
        )
    if logdir is None:
        raise ValueError("Summary writer's logdir must be specified.")
    return _FileSummaryWriter(
        logdir,
        10 if max_queue is None else int(max_queue),
        120000 if flush_millis is None else int(flush_millis),
        ".v2" if filename_suffix is None else filename_suffix,
    )


def create_noop_writer() -> SummaryWriter:
    """TF2's `tf.summary.create_noop_writer`: a default writer that writes nothing."""
    return SummaryWriter()


def flush(writer=None, name=None) -> None:
    """TF2's `tf.summary.flush`: flushes `writer` (default: the default writer)."""
    del name
    writer = _state.writer if writer is None else writer
    if writer is not None:
        writer.flush()


def get_step():
    """TF2's `tf.summary.experimental.get_step`: the default step, or None."""
    return _state.step


def set_step(step) -> None:
    """TF2's `tf.summary.experimental.set_step`: the step summaries use by default."""
    _state.step = step


@contextlib.contextmanager
def record_if(condition):
    """TF2's `tf.summary.record_if`: summaries inside write only while `condition` (a
    bool, a boolean tensor or a function returning one) is true."""
    old = _state.is_recording
    _state.is_recording = condition
    try:
        yield
    finally:
        _state.is_recording = old


def _truth(condition) -> bool:
    if callable(condition):
        condition = condition()
    return bool(np.asarray(_numpy(condition)))


def should_record_summaries():
    """TF2's `tf.summary.should_record_summaries`: whether a summary written now would be
    recorded (a default writer is set and `record_if`'s condition holds)."""
    from tfgraph.framework.convert import constant

    return constant(_state.writer is not None and _truth(_state.is_recording))


@contextlib.contextmanager
def summary_scope(name, default_name="summary", values=None):
    """TF2's `tf.summary.experimental.summary_scope`: yields (tag, scope): the tag is the
    current name scope joined with `name`, the scope a new name scope."""
    del values
    name = name or default_name
    current = get_default_graph().get_name_scope()
    tag = f"{current}/{name}" if current else name
    clean = re.sub(r"[^-/\w.]", "", name) or default_name
    with get_default_graph().name_scope(clean) as scope:
        yield tag, scope


def _numpy(value) -> np.ndarray:
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    return np.asarray(value)


def _eager_only(what: str) -> None:
    if not executing_eagerly():
        raise NotImplementedError(
            f"tf.summary.{what}: tfgraph writes TF2 summaries eagerly only (not in graphs or "
            "tf.function); in graph mode use tf.compat.v1.summary ops and FileWriter"
        )


def _step_value(step) -> int:
    step = _state.step if step is None else step
    if step is None:
        raise ValueError(
            "No step set. Please specify one either through the `step` argument or "
            "through tf.summary.experimental.set_step()"
        )
    return int(_numpy(step))


def _tensor_proto(array: np.ndarray):
    """The TensorProto TF's summary writer stores: strings in string_val, anything else
    as raw tensor_content (even a scalar)."""
    from tfgraph import proto
    from tfgraph.io.tensor_proto import make_tensor_proto, shape_to_proto

    if array.dtype.kind in "OSU":
        return make_tensor_proto(array)
    dtype = dtypes.as_dtype(array.dtype)
    out = proto.TensorProto(dtype=dtype.as_datatype_enum, tensor_content=array.tobytes())
    out.tensor_shape.CopyFrom(shape_to_proto(array.shape))
    return out


def _write(tag: str, array: np.ndarray, step, metadata: bytes) -> bool:
    import time

    from tfgraph import proto
    from tfgraph.summary_writer import _event_bytes

    writer = _state.writer
    if writer is None or not _truth(_state.is_recording):
        return False
    value = proto.Summary.Value(tag=tag, tensor=_tensor_proto(array))
    if metadata:
        value.metadata.ParseFromString(metadata)
    summary = proto.Summary(value=[value]).SerializeToString()
    writer._write_event(_event_bytes(time.time(), _step_value(step), 0x2A, summary))
    return True


def write(tag, tensor, step=None, metadata=None, name=None):
    """TF2's `tf.summary.write`: writes `tensor` (or what a callable returns) under `tag`
    to the default writer; True if written (False: no writer, or `record_if` off)."""
    from tfgraph.framework.convert import constant

    del name
    _eager_only("write")
    if metadata is not None and hasattr(metadata, "SerializeToString"):
        metadata = metadata.SerializeToString()
    if _state.writer is None or not _truth(_state.is_recording):
        return constant(False)
    value = _numpy(tensor() if callable(tensor) else tensor)
    return constant(_write(tag, value, step, metadata or b""))


def _metadata(plugin: str, description, content: bytes = _PLUGIN_CONTENT) -> bytes:
    from tfgraph import proto

    meta = proto.SummaryMetadata(summary_description=description or "")
    meta.plugin_data.plugin_name = plugin
    meta.plugin_data.content = content
    return meta.SerializeToString()


def _summary(name, default, plugin, description, step, make, content=_PLUGIN_CONTENT):
    from tfgraph.framework.convert import constant

    _eager_only(plugin)
    with summary_scope(name, default) as (tag, _):
        if _state.writer is None or not _truth(_state.is_recording):
            return constant(False)
        return constant(_write(tag, make(), step, _metadata(plugin, description, content)))


def scalar(name, data, step=None, description=None):
    """TF2's `tf.summary.scalar`: `data` (a scalar) as float32, for TensorBoard's
    scalars plugin."""

    def make():
        value = _numpy(data)
        if value.ndim != 0:
            raise ValueError(f"tf.summary.scalar: data must be a scalar, got shape {value.shape}")
        return value.astype(np.float32)

    return _summary(name, "scalar_summary", "scalars", description, step, make)


def histogram_buckets(data, bucket_count=None) -> np.ndarray:
    """[k, 3] float64 rows (left edge, right edge, count) of `data` in `bucket_count`
    (default 30) equal-width buckets from its min to its max (TensorBoard's rule)."""
    k = max(0, 30 if bucket_count is None else int(bucket_count))
    data = _numpy(data).reshape(-1).astype(np.float64)
    if data.size == 0 or k == 0:
        return np.zeros((k, 3), np.float64)
    lo, hi = data.min(), data.max()
    if hi - lo == 0:
        counts = np.zeros(k, np.float64)
        counts[-1] = data.size
        edges = np.full(k, hi)
        return np.stack([edges, edges, counts]).T
    width = (hi - lo) / np.float64(k)
    index = np.minimum(np.floor((data - lo) / width).astype(np.int32), k - 1)
    counts = np.bincount(index[index >= 0], minlength=k)[:k].astype(np.float64)
    edges = np.linspace(lo, hi, k + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts]).T


def histogram(name, data, step=None, buckets=None, description=None):
    """TF2's `tf.summary.histogram`: `buckets` (default 30) equal-width buckets of
    `data`, for TensorBoard's histograms plugin."""
    return _summary(
        name, "histogram_summary", "histograms", description, step,
        lambda: histogram_buckets(data, buckets),
    )  # fmt: skip


def image(name, data, step=None, max_outputs=3, description=None):
    """TF2's `tf.summary.image`: the first `max_outputs` images of `data` ([k, h, w, c],
    uint8 or floats in [0, 1]) as PNGs, after [width, height], for the images plugin."""
    from tfgraph.ops.image_adjust_ops import convert_image_dtype
    from tfgraph.ops.summary_ops import encode_png

    def make():
        value = _numpy(data)
        if value.ndim != 4:
            raise ValueError(f"tf.summary.image: data must have rank 4, got shape {value.shape}")
        if max_outputs < 0:
            raise ValueError("tf.summary.image: max_outputs must be non-negative")
        images = _numpy(convert_image_dtype(value, dtypes.uint8, saturate=True))
        pngs = [encode_png(im) for im in images[:max_outputs]]
        return np.array([str(images.shape[2]).encode(), str(images.shape[1]).encode(), *pngs])

    return _summary(name, "image_summary", "images", description, step, make)


def text(name, data, step=None, description=None):
    """TF2's `tf.summary.text`: a string tensor, for TensorBoard's text plugin."""

    def make():
        value = _numpy(data)
        if value.dtype.kind not in "OSU":
            raise TypeError("tf.summary.text: data must be a string tensor")
        return value

    return _summary(name, "text_summary", "text", description, step, make)


# AudioPluginData(version=0, encoding=WAV (11)), serialized
_AUDIO_WAV_CONTENT = b"\x10\x0b"


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """TF2's `tf.summary.audio`: the first `max_outputs` clips of `data` ([k, t, c] floats
    in [-1, 1]) as WAV files at `sample_rate`, each with an empty label, for TensorBoard's
    audio plugin."""
    from tfgraph.ops.summary_ops import encode_wav

    if encoding is None:
        encoding = "wav"
    if encoding != "wav":
        raise ValueError(f"Unknown encoding: {encoding!r}")

    def make():
        value = _numpy(data)
        if value.ndim != 3:
            raise ValueError(f"tf.summary.audio: data must have rank 3, got shape {value.shape}")
        if max_outputs < 0:
            raise ValueError("tf.summary.audio: max_outputs must be non-negative")
        rate = float(_numpy(sample_rate))
        clips = [encode_wav(clip, rate) for clip in value[:max_outputs]]
        return np.array([[clip, b""] for clip in clips], dtype=object).reshape(-1, 2)

    return _summary(
        name, "audio_summary", "audio", description, step, make, content=_AUDIO_WAV_CONTENT
    )


def graph(graph_data):
    """TF2's `tf.summary.graph`: writes a Graph or GraphDef to the default writer (an
    Event with graph_def, step 0); True if written."""
    import time

    from tfgraph.framework.convert import constant
    from tfgraph.framework.graph import Graph
    from tfgraph.summary_writer import _event_bytes

    if not executing_eagerly():
        raise ValueError("graph() cannot be invoked inside a graph context.")
    writer = _state.writer
    if writer is None or not _truth(_state.is_recording):
        return constant(False)
    if isinstance(graph_data, Graph):
        data = graph_data.as_graph_def().SerializeToString()
    elif type(graph_data).__name__ == "GraphDef" and hasattr(graph_data, "SerializeToString"):
        data = graph_data.SerializeToString()
    else:
        raise ValueError(
            "Argument 'graph_data' is not tf.Graph or tf.compat.v1.GraphDef. Received "
            f"graph_data={graph_data} of type {type(graph_data).__name__}."
        )
    writer._write_event(_event_bytes(time.time(), 0, 0x22, data))
    return constant(True)
