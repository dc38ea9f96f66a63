"""What TF1 scripts used most from `tf.contrib` (`contrib.layers`, `contrib.framework`,
`contrib.slim`), which TF 2.x no longer has; built as TF 1.15 and tf-slim build it.
Public names are re-exported by `tfgraph.contrib`."""
