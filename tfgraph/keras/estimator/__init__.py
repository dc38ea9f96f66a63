"""`tf.keras.estimator`: TensorFlow 2.21 ships no `tf.estimator`, so its
`model_to_estimator` only refuses; tfgraph does the same."""

from __future__ import annotations

__all__ = ["model_to_estimator"]


def model_to_estimator(keras_model=None, keras_model_path=None, custom_objects=None,
                       model_dir=None, config=None, checkpoint_format="saver",
                       metric_names_map=None, export_outputs=None):  # fmt: skip
    """Not available, as in TensorFlow 2.21 (which has no `tf.estimator` package).

    Raises:
        NotImplementedError: always, with TensorFlow's message.
    """
    raise NotImplementedError(
        "tf.keras.estimator.model_to_estimator function not available in your installation."
    )
