"""TF 1.0's summary functions (`tf.contrib.deprecated`, and `tf.scalar_summary` & co.
before TF 1.0): the summary ops with their tags given as tensors, named after the op
type (`ScalarSummary`, `HistogramSummary`, ...) rather than after the tag, as TF 1.15's
`logging_ops` builds them. `scalar_summary` takes a tensor of tags and one of values
of the same shape (one summary value per pair)."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.convert import convert_to_tensor
from tfgraph.framework.graph import GraphKeys, add_to_collection, get_collection, name_scope
from tfgraph.ops.apply import op_output

__all__ = [
    "audio_summary",
    "histogram_summary",
    "image_summary",
    "merge_all_summaries",
    "merge_summary",
    "scalar_summary",
]


def _collect(value, collections, default) -> None:
    for key in default if collections is None else collections:
        add_to_collection(key, value)


def scalar_summary(tags, values, collections=None, name=None):
    """A `Summary` with one simple value per (tag, value) pair of `tags` and `values`
    (same shape); added to `collections` (default `[GraphKeys.SUMMARIES]`)."""
    with name_scope(name, "ScalarSummary", [tags, values]) as scope:
        val = op_output("ScalarSummary", scope, [tags, values])
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram_summary(tag, values, collections=None, name=None):
    """A `Summary` with a histogram of `values` under the scalar string tensor `tag`."""
    with name_scope(name, "HistogramSummary", [tag, values]) as scope:
        val = op_output("HistogramSummary", scope, [tag, values])
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """A `Summary` with up to `max_images` PNG images of the 4-D `tensor`, tagged
    `tag/image/0`, ... (`tag/image` for one)."""
    with name_scope(name, "ImageSummary", [tag, tensor]) as scope:
        val = op_output("ImageSummary", scope, [tag, tensor], {"max_images": max_images})
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """A `Summary` with up to `max_outputs` WAV clips of `tensor` ([batch, frames] or
    [batch, frames, channels], values in [-1, 1]) at `sample_rate` Hz."""
    with name_scope(name, "AudioSummary", [tag, tensor]) as scope:
        rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        val = op_output("AudioSummaryV2", scope, [tag, tensor, rate], {"max_outputs": max_outputs})
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def merge_summary(inputs, collections=None, name=None):
    """The values of the serialized `Summary`s `inputs` in one `Summary`."""
    with name_scope(name, "MergeSummary", inputs):
        val = op_output("MergeSummary", name, [list(inputs)])
        _collect(val, collections, [])
    return val


def merge_all_summaries(key=GraphKeys.SUMMARIES):
    """`merge_summary` of the collection `key`, or None when it is empty."""
    summaries = get_collection(key)
    if not summaries:
        return None
    return merge_summary(summaries)
