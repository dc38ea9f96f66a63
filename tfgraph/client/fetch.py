"""Nested fetch structures: flatten to unique graph elements, then rebuild the results.

`FetchMapper(graph, fetches)` resolves every leaf (Tensor, Operation, Variable, tensor or
op name, IndexedSlices) to graph elements, deduplicates them, and gives back a function
that turns the flat list of fetched values into the caller's structure (lists,
tuples, namedtuples, dicts, OrderedDicts; None for ops).
"""

from __future__ import annotations

import collections

from tfgraph.framework.ops import Operation, Tensor

__all__ = ["FetchMapper"]


def _type_name(obj) -> str:
    return type(obj).__name__


class FetchMapper:
    """Flattened, deduplicated view of a nested `fetches` argument."""

    __slots__ = ("build", "ops", "tensors")

    def __init__(self, graph, fetches) -> None:
        self.tensors: list[Tensor] = []  # unique fetched tensors, in first-seen order
        self.ops: list[Operation] = []  # unique target ops
        index: dict[Tensor, int] = {}
        op_set: set[Operation] = set()

        def leaf(fetch):
            composite = getattr(fetch, "_tfgraph_fetch_components", None)
            if composite is not None:
                parts, rebuild = composite()
                builders = [leaf(p) for p in parts]
                return lambda vals: rebuild([b(vals) for b in builders])
            element = _resolve(graph, fetch)
            if isinstance(element, Operation):
                if element not in op_set:
                    op_set.add(element)
                    self.ops.append(element)
                return _none
            i = index.get(element)
            if i is None:
                i = index[element] = len(self.tensors)
                self.tensors.append(element)
            return lambda vals, i=i: vals[i]

        def node(fetch):
            if fetch is None:
                raise TypeError(
                    f'Argument `fetch` = {fetch} has invalid type "{_type_name(fetch)}". '
                    "Cannot be None"
                )
            if isinstance(fetch, (list, tuple)) and not isinstance(fetch, str):
                builders = [node(f) for f in fetch]
                if isinstance(fetch, list):
                    return lambda vals: [b(vals) for b in builders]
                if hasattr(fetch, "_fields"):  # namedtuple
                    cls = type(fetch)
                    return lambda vals: cls(*[b(vals) for b in builders])
                cls = type(fetch)
                return lambda vals: cls(b(vals) for b in builders)
            if isinstance(fetch, collections.abc.Mapping):
                keys = list(fetch.keys())
                builders = [node(fetch[k]) for k in keys]
                cls = type(fetch)

                def build_mapping(vals):
                    items = [(k, b(vals)) for k, b in zip(keys, builders)]
                    if cls is collections.defaultdict:
                        out = collections.defaultdict(fetch.default_factory)
                        out.update(items)
                        return out
                    return cls(items)

                return build_mapping
            attrs_fields = getattr(type(fetch), "__attrs_attrs__", None)
            if attrs_fields is not None:
                names = [a.name for a in attrs_fields]
                builders = [node(getattr(fetch, n)) for n in names]
                cls = type(fetch)
                return lambda vals: cls(*[b(vals) for b in builders])
            return leaf(fetch)

        self.build = node(fetches)


def _none(vals):
    return None


def _resolve(graph, fetch):
    """The Tensor or Operation `fetch` stands for, with TF's error messages."""
    try:
        element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
    except TypeError as e:
        raise TypeError(
            f'Argument `fetch` = {fetch} has invalid type "{_type_name(fetch)}" must be a '
            f"string or Tensor. ({e})"
        ) from None
    except ValueError as e:
        raise ValueError(
            f"Argument `fetch` = {fetch} cannot be interpreted as a Tensor. ({e})"
        ) from None
    except KeyError as e:
        raise ValueError(
            f"Argument `fetch` = {fetch} cannot be interpreted as a Tensor. ({e})"
        ) from None
    return element
