"""`tf.summary` under TF2 (`tfgraph.compat.v2.summary`, re-exports only): a default
writer (`create_file_writer(logdir).as_default(step)`) and `scalar`, `histogram`,
`image`, `text` taking (name, data, step); TF1's names stay reachable."""

import tfgraph.summary as _v1
from tfgraph.compat.v2 import summary_experimental as experimental
from tfgraph.ops.summary_v2_ops import (
    SummaryWriter,
    audio,
    create_file_writer,
    create_noop_writer,
    flush,
    graph,
    histogram,
    image,
    record_if,
    scalar,
    should_record_summaries,
    text,
    write,
)


def __getattr__(name):
    return getattr(_v1, name)


def __dir__():
    return sorted(set(globals()) | set(dir(_v1)))
