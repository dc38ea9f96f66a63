"""`tf.contrib.tensorboard.plugins.projector` (re-exports only)."""

from tfgraph.legacy_contrib.projector import (
    EmbeddingInfo,
    ProjectorConfig,
    SpriteMetadata,
    visualize_embeddings,
)

__all__ = ["EmbeddingInfo", "ProjectorConfig", "SpriteMetadata", "visualize_embeddings"]
