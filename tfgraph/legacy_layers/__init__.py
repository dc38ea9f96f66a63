"""TF1's `tf.layers`: Keras-style layer objects that create their variables with
`get_variable` in a variable scope named after the layer (see `base.py`)."""
