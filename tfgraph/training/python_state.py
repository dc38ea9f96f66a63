"""`tf.train.experimental.PythonState`: Python state a `tf.train.Checkpoint` saves as a
string, `serialize()` writing it and `deserialize(bytes)` restoring it (checkpoint key
`<path>/.ATTRIBUTES/py_state`, as TF's)."""

from __future__ import annotations

import abc

__all__ = ["PY_STATE", "PythonState"]

PY_STATE = "py_state"


class PythonState(metaclass=abc.ABCMeta):
    """A mixin for Python objects a checkpoint saves: subclasses define `serialize`
    (returns str or bytes) and `deserialize(string_value)`."""

    @abc.abstractmethod
    def serialize(self):
        """The state to save, a str or bytes."""

    @abc.abstractmethod
    def deserialize(self, string_value):
        """Restores the state `serialize` returned (given as bytes)."""
