"""tfgraph: TensorFlow 1.x graph programs on numpy."""
