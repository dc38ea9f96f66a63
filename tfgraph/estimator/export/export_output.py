"""`tf.estimator.export.PredictOutput`, `ClassificationOutput`, `RegressionOutput`: what a
`model_fn` exports for serving; each becomes one SignatureDef of the SavedModel."""

from __future__ import annotations

from tfgraph.framework import dtypes
from tfgraph.framework.ops import Tensor

__all__ = ["ClassificationOutput", "ExportOutput", "PredictOutput", "RegressionOutput"]


class ExportOutput:
    """The base of the export outputs: `as_signature_def(receiver_tensors)`."""

    def as_signature_def(self, receiver_tensors):
        raise NotImplementedError


def _single_string_input(kind, receiver_tensors):
    if len(receiver_tensors) != 1:
        raise ValueError(f"{kind} input must be a single string Tensor; got {receiver_tensors}")
    ((_, examples),) = receiver_tensors.items()
    if dtypes.as_dtype(examples.dtype) != dtypes.string:
        raise ValueError(f"{kind} input must be a single string Tensor; got {receiver_tensors}")
    return examples


class ClassificationOutput(ExportOutput):
    """Float32 `scores` and/or string `classes` for a Classify signature."""

    def __init__(self, scores=None, classes=None) -> None:
        if scores is not None and not (
            isinstance(scores, Tensor) and scores.dtype.is_floating and scores.dtype == "float32"
        ):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (
            isinstance(classes, Tensor) and dtypes.as_dtype(classes.dtype) == dtypes.string
        ):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        self._scores = scores
        self._classes = classes

    @property
    def scores(self):
        return self._scores

    @property
    def classes(self):
        return self._classes

    def as_signature_def(self, receiver_tensors):
        from tfgraph.saved_model import signature_def_utils

        examples = _single_string_input("Classification", receiver_tensors)
        return signature_def_utils.classification_signature_def(examples, self.classes, self.scores)


class RegressionOutput(ExportOutput):
    """A float32 `value` for a Regress signature."""

    def __init__(self, value) -> None:
        if not (isinstance(value, Tensor) and value.dtype == "float32"):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self._value = value

    @property
    def value(self):
        return self._value

    def as_signature_def(self, receiver_tensors):
        from tfgraph.saved_model import signature_def_utils

        examples = _single_string_input("Regression", receiver_tensors)
        return signature_def_utils.regression_signature_def(examples, self.value)


class PredictOutput(ExportOutput):
    """Any tensors (a dict by name, or one tensor named `output`) for a Predict
    signature."""

    def __init__(self, outputs) -> None:
        if not isinstance(outputs, dict):
            outputs = {"output": outputs}
        for key, value in outputs.items():
            if not isinstance(key, str):
                raise ValueError(f"Prediction output key must be a string; got {key}.")
            if not isinstance(value, Tensor):
                raise ValueError(f"Prediction output value must be a Tensor; got {value}.")
        self._outputs = dict(outputs)

    @property
    def outputs(self):
        return self._outputs

    def as_signature_def(self, receiver_tensors):
        from tfgraph.saved_model import signature_def_utils

        return signature_def_utils.predict_signature_def(receiver_tensors, self.outputs)
