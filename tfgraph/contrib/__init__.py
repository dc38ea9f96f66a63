"""`tf.contrib`: the parts TF1 scripts used most, which TF 2.x no longer has
(re-exports only; see tfgraph/legacy_contrib)."""

from tfgraph.contrib import framework, layers, slim
