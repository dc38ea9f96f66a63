"""`tensorflow.examples.tutorials.mnist` (re-exports only): `input_data`."""
