"""Eager execution: ops run as they are called (TF2 behaviour, `tf.enable_eager_execution`)."""
