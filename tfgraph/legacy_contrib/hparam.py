"""TF 1.15's `tf.contrib.training.HParams`: named, typed hyperparameters, overridden
from a `name=value,...` string, JSON or a dict.

A parameter's type is fixed by its first value (a list's by its first element). Values
set later are cast to that type when compatible (an int for a float parameter) and
rejected with TF's `ValueError` messages otherwise; unknown names raise `KeyError`
(`set_hparam`, `override_from_dict`, `parse_json`) or `ValueError` (`parse`).
"""

from __future__ import annotations

import json
import numbers
import re

__all__ = ["HParams", "parse_values"]

# name, optional [index], '=', a scalar or a bracketed list, then ',' or the end
_PARAM_RE = re.compile(
    r"""
    (?P<name>[a-zA-Z][\w\.]*)
    (\[\s*(?P<index>\d+)\s*\])?
    \s*=\s*
    ((?P<val>[^,\[]*) | \[(?P<vals>[^\]]*)\])
    ($|,\s*)""",
    re.VERBOSE,
)


def _parse_fail(name, var_type, value, values):
    raise ValueError(
        f"Could not parse hparam '{name}' of type '{var_type.__name__}' with value "
        f"'{value}' in {values}"
    )


def _reuse_fail(name, values):
    raise ValueError(f"Multiple assignments to variable '{name}' in {values}")


def _scalar(name, parse, var_type, groups, values, results):
    try:
        parsed = parse(groups["val"])
    except ValueError:
        _parse_fail(name, var_type, groups["val"], values)
    if not groups["index"]:
        if name in results:
            _reuse_fail(name, values)
        results[name] = parsed
        return
    if name in results:
        if not isinstance(results.get(name), dict):
            _reuse_fail(name, values)
    else:
        results[name] = {}
    index = int(groups["index"])
    if index in results[name]:
        _reuse_fail(f"{name}[{index}]", values)
    results[name][index] = parsed


def _listed(name, parse, var_type, groups, values, results):
    if groups["index"] is not None:
        raise ValueError("Assignment of a list to a list index.")
    elements = [e for e in re.split("[ ,]", groups["vals"]) if e]
    if name in results:
        _reuse_fail(name, values)
    try:
        results[name] = [parse(e) for e in elements]
    except ValueError:
        _parse_fail(name, var_type, groups["vals"], values)


def parse_values(values, type_map, ignore_unknown=False):
    """Parses `"a=1,b=[x,y],c[0]=2"` into `{name: value | [values] | {index: value}}`,
    each value parsed with the type `type_map` gives its name (booleans: true/True,
    false/False or an integer).

    Raises:
      ValueError: for malformed text, unknown names (unless `ignore_unknown`),
        unparsable values, a name assigned twice, or a list assigned to an index.
    """
    results: dict = {}
    pos = 0
    while pos < len(values):
        match = _PARAM_RE.match(values, pos)
        if not match:
            raise ValueError(f"Malformed hyperparameter value: {values[pos:]}")
        pos = match.end()
        groups = match.groupdict()
        name = groups["name"]
        if name not in type_map:
            if ignore_unknown:
                continue
            raise ValueError(f"Unknown hyperparameter type for {name}")
        var_type = type_map[name]
        if var_type is bool:

            def parse(value, name=name, var_type=var_type):
                if value in ("true", "True"):
                    return True
                if value in ("false", "False"):
                    return False
                try:
                    return bool(int(value))
                except ValueError:
                    _parse_fail(name, var_type, value, values)

        else:
            parse = var_type
        if groups["val"] is not None:
            _scalar(name, parse, var_type, groups, values, results)
        elif groups["vals"] is not None:
            _listed(name, parse, var_type, groups, values, results)
        else:
            _parse_fail(name, var_type, "", values)
    return results


def _cast_if_compatible(name, param_type, value):
    """`value` as `param_type`, refusing str<->non-str, bool<->non-bool, float->int and
    non-number->number conversions."""
    fail = f"Could not cast hparam '{name}' of type '{param_type}' from value {value!r}"
    if type(value) is param_type:
        return value
    if issubclass(param_type, type(None)):
        return value
    if issubclass(param_type, (str, bytes)) and not isinstance(value, (str, bytes)):
        raise ValueError(fail)
    if issubclass(param_type, bool) != isinstance(value, bool):
        raise ValueError(fail)
    if issubclass(param_type, numbers.Integral) and not isinstance(value, numbers.Integral):
        raise ValueError(fail)
    if issubclass(param_type, numbers.Number) and not isinstance(value, numbers.Number):
        raise ValueError(fail)
    return param_type(value)


class HParams:
    """A set of hyperparameters, each an attribute:

    hparams = HParams(learning_rate=0.1, layers=[64, 32], activation="relu")
    hparams.parse("learning_rate=0.3,layers=[128,64]")
    hparams.learning_rate  # 0.3
    """

    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        self._hparam_types = {}
        self._model_structure = model_structure
        if hparam_def:
            raise NotImplementedError(
                "tfgraph's HParams does not read HParamDef protos; pass keyword arguments"
            )
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        """Adds a hyperparameter; its type is that of `value` (of its first element
        for a list or tuple).

        Raises:
          ValueError: if `name` is an existing attribute, or `value` an empty list.
        """
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        """Sets an existing hyperparameter, casting to its type.

        Raises:
          KeyError: if there is no such hyperparameter.
          ValueError: on a type mismatch or a list/scalar mismatch.
        """
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError(f"Must not pass a list for single-valued parameter: {name}")
            setattr(self, name, [_cast_if_compatible(name, param_type, v) for v in value])
        else:
            if is_list:
                raise ValueError(f"Must pass a list for multi-valued parameter: {name}.")
            setattr(self, name, _cast_if_compatible(name, param_type, value))

    def del_hparam(self, name):
        """Removes a hyperparameter (nothing happens if there is none)."""
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        """Overrides values from a `name=value,...` string (see `parse_values`)."""
        type_map = {name: t for name, (t, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, type_map))

    def override_from_dict(self, values_dict):
        """Overrides values from a dict of name: value."""
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def to_json(self, indent=None, separators=None, sort_keys=False):
        """The values as a JSON object."""
        return json.dumps(self.values(), indent=indent, separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json):
        """Overrides values from a JSON object of name: value."""
        return self.override_from_dict(json.loads(values_json))

    def values(self):
        """A dict of name: value."""
        return {n: getattr(self, n) for n in self._hparam_types}

    def get(self, key, default=None):
        """The value of `key`, or `default` when absent (a present key's `default` must
        be compatible with its type, else ValueError)."""
        if key not in self._hparam_types:
            return default
        if default is not None:
            param_type, is_list = self._hparam_types[key]
            type_str = f"list<{param_type}>" if is_list else str(param_type)
            fail = f"Hparam '{key}' of type '{type_str}' is incompatible with default={default}"
            if is_list != isinstance(default, list):
                raise ValueError(fail)
            try:
                for v in default if is_list else [default]:
                    _cast_if_compatible(key, param_type, v)
            except ValueError as e:
                raise ValueError(f"{fail}. {e}") from None
        return getattr(self, key)

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return ",".join(f"{k}={v}" for k, v in self.values().items())

    def __repr__(self):
        return f"{type(self).__name__}({sorted(self.values().items())})"
