"""tfgraph's distributed runtime (TF1's ps/worker clusters) on Ray: `tf.train.Server`,
sessions on `grpc://` targets, and the partitioning of runs across tasks.

Imported on first use (a Server, or a session on a server's target), so `import
tfgraph` never imports Ray; Ray comes with `pip install 'tfgraph-numpy[distributed]'`.
See docs/distributed.md.
"""
