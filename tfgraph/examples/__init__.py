"""`tensorflow.examples` as TF1 scripts import it: `from tfgraph.examples.tutorials.mnist
import input_data` (re-exports only)."""
