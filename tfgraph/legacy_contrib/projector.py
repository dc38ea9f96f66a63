"""TF 1.15's `tf.contrib.tensorboard.plugins.projector`: the embedding projector's
configuration messages and `visualize_embeddings`, which writes them as
`projector_config.pbtxt` into a summary writer's log directory, where TensorBoard's
projector plugin finds them (next to the checkpoint holding the embedding variables)."""

from __future__ import annotations

import os

from tfgraph import proto
from tfgraph.io.atomic import atomic_write

__all__ = ["EmbeddingInfo", "ProjectorConfig", "SpriteMetadata", "visualize_embeddings"]

PROJECTOR_FILENAME = "projector_config.pbtxt"


SpriteMetadata = proto.message_class("tensorboard.projector.SpriteMetadata")
EmbeddingInfo = proto.message_class("tensorboard.projector.EmbeddingInfo")
ProjectorConfig = proto.message_class("tensorboard.projector.ProjectorConfig")


def visualize_embeddings(summary_writer, config) -> None:
    """Writes `config` (a `ProjectorConfig`) as text to `projector_config.pbtxt` in the
    log directory of `summary_writer` (a `tf.summary.FileWriter`, or the directory's
    path as TensorBoard's own `visualize_embeddings` also accepts).

    Raises:
        ValueError: the writer has no log directory.
    """
    get_logdir = getattr(summary_writer, "get_logdir", None)
    logdir = get_logdir() if get_logdir is not None else summary_writer
    if logdir is None:
        raise ValueError("Summary writer must have a logdir")
    logdir = os.fspath(logdir)
    text = proto.text_format.MessageToString(config)
    atomic_write(os.path.join(logdir, PROJECTOR_FILENAME), text.encode("utf-8"))
