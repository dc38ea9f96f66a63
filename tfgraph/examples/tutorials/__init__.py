"""`tensorflow.examples.tutorials` (re-exports only): `mnist`."""
