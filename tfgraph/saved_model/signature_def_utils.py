"""`tf.saved_model.signature_def_utils` (re-exports only)."""

from tfgraph.saved_model._method_name_updater import MethodNameUpdater
from tfgraph.saved_model._signature import (
    build_signature_def,
    classification_signature_def,
    is_valid_signature,
    predict_signature_def,
    regression_signature_def,
)

__all__ = [
    "MethodNameUpdater",
    "build_signature_def",
    "classification_signature_def",
    "is_valid_signature",
    "predict_signature_def",
    "regression_signature_def",
]
