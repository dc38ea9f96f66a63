"""`tf.make_template`: a function whose variables are created on the first call and
reused on later calls, as TF1's Template does (graph mode)."""

from __future__ import annotations

import functools

from tfgraph.framework.graph import GraphKeys, get_collection_ref
from tfgraph.variable_scope import (
    _get_unique_variable_scope,
    _pure_variable_scope,
    variable_scope,
)

__all__ = ["Template", "make_template"]


class Template:
    """Wraps `func` so that every call after the first reuses the variables
    (tf.get_variable) it created."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None, custom_getter=None):
        if name is None:
            raise ValueError("name cannot be None.")
        self._func = func
        self._name = name
        self._unique_name = unique_name
        self._custom_getter = custom_getter
        self._variable_scope = None
        if create_scope_now:
            with _pure_variable_scope(
                unique_name or _get_unique_variable_scope(name), custom_getter=custom_getter
            ) as vs:
                self._variable_scope = vs
        self._variables_created = False
        self._first_call = True

    def _call_func(self, args, kwargs):
        if not self._variables_created:
            self._first_call = False
            try:
                result = self._func(*args, **kwargs)
            except BaseException:
                self._first_call = True
                raise
            self._variables_created = True
            return result
        trainable = get_collection_ref(GraphKeys.TRAINABLE_VARIABLES)
        at_start = len(trainable)
        result = self._func(*args, **kwargs)
        if len(trainable) != at_start:
            raise ValueError(
                "Trainable variable created when calling a template after the first time, "
                "perhaps you used tf.Variable when you meant tf.get_variable: "
                f"{trainable[at_start:]}"
            )
        return result

    def __call__(self, *args, **kwargs):
        if self._variable_scope is not None:
            with variable_scope(self._variable_scope, reuse=not self._first_call):
                return self._call_func(args, kwargs)
        with variable_scope(self._unique_name, self._name, custom_getter=self._custom_getter) as vs:
            self._variable_scope = vs
            return self._call_func(args, kwargs)

    @property
    def name(self):
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self) -> str:
        return "" if self._variable_scope is None else self._variable_scope.name

    @property
    def variables(self) -> list:
        return self.global_variables

    @property
    def global_variables(self) -> list:
        if not self._variables_created:
            return []
        prefix = self.variable_scope_name + "/"
        return [
            v for v in get_collection_ref(GraphKeys.GLOBAL_VARIABLES) if v.name.startswith(prefix)
        ]

    @property
    def trainable_variables(self) -> list:
        if not self._variables_created:
            return []
        prefix = self.variable_scope_name + "/"
        return [
            v
            for v in get_collection_ref(GraphKeys.TRAINABLE_VARIABLES)
            if v.name.startswith(prefix)
        ]


def make_template(
    name_,
    func_,
    create_scope_now_=False,
    unique_name_=None,
    custom_getter_=None,
    **kwargs,
):
    """A Template of `func_` (with `kwargs` bound): variables made by tf.get_variable on
    the first call, under a variable scope named `name_` (made unique), are reused by
    every later call."""
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(
        name_,
        func_,
        create_scope_now=create_scope_now_,
        unique_name=unique_name_,
        custom_getter=custom_getter_,
    )
