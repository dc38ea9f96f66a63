"""`tf.test.StubOutForTesting`: replace attributes of modules, classes or objects for a
test and put the originals back afterwards (CleanUp, or leaving a `with` block)."""

from __future__ import annotations

import inspect

__all__ = ["StubOutForTesting"]


class StubOutForTesting:
    """Stubs attributes out and restores them in reverse order.

    ```python
    stubs = tf.test.StubOutForTesting()
    stubs.Set(os.path, "exists", lambda path: True)
    ...
    stubs.CleanUp()
    ```
    """

    def __init__(self) -> None:
        self.cache: list = []
        self.stubs: list = []

    def __del__(self) -> None:
        self.CleanUp()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self.CleanUp()

    def CleanUp(self) -> None:
        """Undoes every SmartSet() and Set()."""
        self.SmartUnsetAll()
        self.UnsetAll()

    def SmartSet(self, obj, attr_name: str, new_attr) -> None:
        """Replaces `obj.attr_name` where it is defined: on a module or an instance that
        holds it itself, else on the first class of the MRO (from `object` down) that
        provides it. Static methods stay static when restored.

        Raises:
            AttributeError: `obj` has no attribute `attr_name`.
        """
        from tfgraph.platform.tf_decorator import unwrap

        _, obj = unwrap(obj)
        if inspect.ismodule(obj) or (not inspect.isclass(obj) and attr_name in obj.__dict__):
            orig_obj, orig_attr = obj, getattr(obj, attr_name)
        else:
            mro = list(inspect.getmro(obj if inspect.isclass(obj) else obj.__class__))
            orig_obj, orig_attr, found = None, None, False
            for cls in reversed(mro):
                try:
                    orig_obj, orig_attr, found = cls, getattr(obj, attr_name), True
                except AttributeError:
                    continue
            if not found:
                raise AttributeError("Attribute not found.")
        old = obj.__dict__.get(attr_name)
        if old is not None and isinstance(old, staticmethod):
            orig_attr = staticmethod(orig_attr)
        self.stubs.append((orig_obj, attr_name, orig_attr))
        setattr(orig_obj, attr_name, new_attr)

    def SmartUnsetAll(self) -> None:
        """Reverses the SmartSet() calls."""
        for args in reversed(self.stubs):
            setattr(*args)
        self.stubs = []

    def Set(self, parent, child_name: str, new_child) -> None:
        """Sets `parent.child_name` to `new_child`, keeping the old value for UnsetAll()."""
        old_child = getattr(parent, child_name)
        old = parent.__dict__.get(child_name)
        if old is not None and isinstance(old, staticmethod):
            old_child = staticmethod(old_child)
        self.cache.append((parent, old_child, child_name))
        setattr(parent, child_name, new_child)

    def UnsetAll(self) -> None:
        """Reverses the Set() calls (the first one is undone last)."""
        for parent, old_child, child_name in reversed(self.cache):
            setattr(parent, child_name, old_child)
        self.cache = []
