"""The program both sides run: build an application model with `weights=None` and
describe it (layers, weights, parameter count, output shape)."""

PROGRAM = """
A = tf.keras.applications
model = eval({call!r})
result = {{
    "name": model.name,
    "layers": [[l.name, type(l).__name__] for l in model.layers],
    "weights": [[w.name, list(w.shape.as_list())] for w in model.weights],
    "trainable": len(model.trainable_weights),
    "params": int(model.count_params()),
    "output": list(model.output_shape),
    "input": list(model.input_shape),
}}
"""
