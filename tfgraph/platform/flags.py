"""`tf.flags`: absl.flags, as TensorFlow 1.x re-exports it, with TF's two additions.

* `FLAGS` parses `sys.argv` the first time a flag's value is read before any explicit
  parse (absl's own FLAGS raises UnparsedFlagAccessError there);
* `DEFINE_string/boolean/bool/float/integer` also take TF's old keyword names
  `flag_name`, `default_value`, `docstring` (logging a deprecation warning on the root
  logger, as TF does).

Everything else is absl's object itself, so flags defined through `absl.flags` and
through `tf.flags` live in one registry. Imported lazily: `import tfgraph` does not
load absl.
"""

from __future__ import annotations

import functools as _functools
import logging as _logging
import sys as _sys
import typing as _typing

import absl.flags as _absl_flags
from absl.flags import *  # noqa: F403

from tfgraph.platform import tf_decorator  # (TF's tf.flags exposes it too)

__all__ = [*_absl_flags.__all__, "tf_decorator"]

# Flags are attributed to the module calling DEFINE_*, found by walking the stack; the
# wrappers below must not be taken for it.
_absl_flags.disclaim_key_flags()

_OLD_KEYWORDS = {"flag_name": "name", "default_value": "default", "docstring": "help"}


def _accept_old_keywords(define):
    @_functools.wraps(define)
    def wrapper(*args, **kwargs):
        old = [k for k in _OLD_KEYWORDS if k in kwargs]
        for key in old:
            kwargs[_OLD_KEYWORDS[key]] = kwargs.pop(key)
        if old:
            # On the root logger, as TensorFlow does.
            _logging.warning(
                "Use of the keyword argument names (flag_name, default_value, docstring) "
                "is deprecated, please use (name, default, help) instead."
            )
        return define(*args, **kwargs)

    return wrapper


DEFINE_string = _accept_old_keywords(_absl_flags.DEFINE_string)
DEFINE_boolean = _accept_old_keywords(_absl_flags.DEFINE_boolean)
DEFINE_bool = DEFINE_boolean
DEFINE_float = _accept_old_keywords(_absl_flags.DEFINE_float)
DEFINE_integer = _accept_old_keywords(_absl_flags.DEFINE_integer)


class _ImplicitlyParsedFlagValues:
    """absl's FlagValues, parsing `sys.argv` on the first read of a flag's value.

    Every attribute (including `__class__`, so isinstance(FLAGS, FlagValues) holds) is
    the wrapped object's; only reading a defined flag before any parse differs.
    """

    __slots__ = ("_wrapped",)

    def __init__(self, flag_values: _absl_flags.FlagValues):
        object.__setattr__(self, "_wrapped", flag_values)

    def __getattribute__(self, name):
        wrapped = object.__getattribute__(self, "_wrapped")
        if name in wrapped and not wrapped.is_parsed():
            wrapped(_sys.argv)
        return getattr(wrapped, name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_wrapped"), name, value)

    def __delattr__(self, name):
        delattr(object.__getattribute__(self, "_wrapped"), name)

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_wrapped")(*args, **kwargs)

    def __getitem__(self, name):
        return object.__getattribute__(self, "_wrapped")[name]

    def __setitem__(self, name, flag):
        object.__getattribute__(self, "_wrapped")[name] = flag

    def __contains__(self, name):
        return name in object.__getattribute__(self, "_wrapped")

    def __iter__(self):
        return iter(object.__getattribute__(self, "_wrapped"))

    def __len__(self):
        return len(object.__getattribute__(self, "_wrapped"))

    def __dir__(self):
        return dir(object.__getattribute__(self, "_wrapped"))

    def __str__(self):
        return str(object.__getattribute__(self, "_wrapped"))


# Typed as what it stands in for: every FlagValues attribute is forwarded.
FLAGS = _typing.cast(_absl_flags.FlagValues, _ImplicitlyParsedFlagValues(_absl_flags.FLAGS))
