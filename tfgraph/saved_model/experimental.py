"""`tf.saved_model.experimental`: `save` (TF1's alias of `tf.saved_model.save`),
`TrackableResource` and `VariablePolicy` (re-exports only)."""

from tfgraph.saved_model._save_options import TrackableResource, VariablePolicy
from tfgraph.saved_model._save_v2 import save

__all__ = ["TrackableResource", "VariablePolicy", "save"]
