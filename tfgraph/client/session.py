"""`Session` and `InteractiveSession`: run graphs, holding all their state.

`run` resolves fetches and feeds, looks up a cached `ExecutionPlan` by the fetches,
targets and fed tensors (values never enter the key), converts and checks the feed
values, runs the plan and rebuilds the caller's structure. Many threads may run one
session at once: plans are immutable, per-run values live in a per-call list, and
variable updates lock their cell.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import numpy as np

from tfgraph import errors
from tfgraph.client.fetch import FetchMapper
from tfgraph.client.plan import ExecutionPlan, KernelContext, fetch_value
from tfgraph.framework import dtypes
from tfgraph.framework import graph as graph_mod
from tfgraph.framework.default_session import DefaultSessionContext, get_default_session
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Tensor
from tfgraph.framework.resources import DeviceStores, RefCell
from tfgraph.framework.run_deadline import deadline_scope
from tfgraph.framework.sparse_tensor import SparseTensor

if TYPE_CHECKING:  # pragma: no cover
    from tfgraph.client.device_placement import PlacementChecker
    from tfgraph.framework.ops import Operation

__all__ = [
    "InteractiveSession",
    "Session",
    "get_default_session",
]


class _FeedConverter:
    """Converts and checks the value fed for one tensor (dtype, shape, not a Tensor)."""

    __slots__ = ("dims", "np_dtype", "ref", "shape", "string", "tensor")

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor
        base = tensor.dtype._base
        self.ref = tensor.dtype is not base  # (a fed reference: its readers see the value)
        self.string = base.name == "string"
        self.np_dtype = base.np_dtype
        self.shape = tensor.shape
        self.dims = tensor.shape._dims

    def __call__(self, value, key):
        if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
            raise TypeError(
                "The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                "include Python scalars, strings, lists, numpy ndarrays, or TensorHandles. "
                f"For reference, the tensor object was {value} which was passed to the "
                f"argument `feed_dict` with key {key}."
            )
        if self.string:
            from tfgraph.framework.convert import numpy_value

            arr = numpy_value(value, self.tensor.dtype._base)[0]
        elif value.__class__ is np.ndarray and value.dtype == self.np_dtype:
            arr = value
        else:
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and self.np_dtype.kind in "iub"
            ):
                self._check_python_int(value)
            try:
                arr = np.asarray(value, dtype=self.np_dtype)
            except (OverflowError, ValueError):
                # TF converts as numpy's casts do: out-of-range ints in lists wrap, NaN and
                # inf become the integer minimum (and text that is no number still fails)
                with np.errstate(all="ignore"):
                    arr = np.asarray(value).astype(self.np_dtype)
        dims = self.dims
        if dims is not None:
            shape = arr.shape
            if len(shape) != len(dims) or any(
                d is not None and d != s for d, s in zip(dims, shape)
            ):
                raise ValueError(
                    f"Cannot feed value of shape {shape} for Tensor {self.tensor.name}, which "
                    f"has shape {self.shape}"
                )
        if self.ref:
            cell = RefCell(self.tensor.name, self.tensor.dtype._base)
            cell.set(arr)
            return cell
        return arr

    def _check_python_int(self, value: int) -> None:
        """TF refuses a Python int feed its tensor's dtype cannot hold."""
        if not -(2**63) <= value < 2**64:
            raise OverflowError("Python int too large to convert to C long")
        if self.np_dtype.kind == "b":
            fits = value in (0, 1)
        else:
            info = np.iinfo(self.np_dtype)
            fits = info.min <= value <= info.max
        if not fits:
            raise TypeError(
                f"Type of feed value {value} with type {type(value)} is not compatible "
                f"with Tensor type {self.np_dtype.type}. Try explicitly setting the "
                "type of the feed tensor to a larger type (e.g. int64)."
            )


class _RunSignature:
    """A cached plan plus how to rebuild results and convert feeds for it."""

    __slots__ = ("build", "converters", "flat_feeds", "plan")

    def __init__(self, plan: ExecutionPlan, build, converters, flat_feeds=None) -> None:
        self.plan = plan
        self.build = build
        self.converters = converters
        # (feed keys that are structures of tensors, an LSTMStateTuple say: a function
        # giving the fed values leaf by leaf, else None)
        self.flat_feeds = flat_feeds


def _without_timeout(options):
    """A copy of `options` with no timeout (the deadline scope holds it)."""
    rest = type(options)()
    rest.CopyFrom(options)
    rest.timeout_in_ms = 0
    return rest


def _composite_components(key) -> list | None:
    """The tensors an IndexedSlices or SparseTensor feed key stands for, in the order
    their fed values (an IndexedSlicesValue / SparseTensorValue or a tuple) give them."""
    if isinstance(key, IndexedSlices):
        shape = [] if key.dense_shape is None else [key.dense_shape]
        return [key.values, key.indices, *shape]
    if isinstance(key, SparseTensor):
        return [key.indices, key.values, key.dense_shape]
    feed_components = getattr(key, "_tfgraph_feed_components", None)
    if feed_components is not None:  # (a RaggedTensor: its splits, then its flat values)
        return feed_components()
    return None


def _is_structured_key(key) -> bool:
    return isinstance(key, (tuple, IndexedSlices, SparseTensor)) or hasattr(
        key, "_tfgraph_feed_components"
    )


def _flat_feed_items(feed_dict) -> list:
    """(key, value) pairs of `feed_dict` with structured keys (tuples of tensors)
    flattened along with their values, as TF's `nest.flatten_dict_items`."""
    from tfgraph.framework import nest

    items: list = []
    for k, v in feed_dict.items():
        components = _composite_components(k)
        if components is not None:  # (as TF's feed expansions: zip, so extras are dropped)
            if hasattr(k, "_tfgraph_feed_components"):
                v = [*v.nested_row_splits, v.flat_values]
            items.extend(zip(components, v))
        elif isinstance(k, tuple):
            keys, values = nest.flatten(k), nest.flatten(v) if nest.is_nested(v) else [v]
            if len(keys) != len(values):
                raise ValueError(
                    "Could not flatten dictionary. Key had "
                    f"{len(keys)} elements, but value had {len(values)} elements. "
                    f"Key: {k}, value: {v}."
                )
            items.extend(zip(keys, values))
        else:
            items.append((k, v))
    return items


class BaseSession:
    """Common implementation of `Session` and `InteractiveSession`."""

    def __init__(self, target: str = "", graph=None, config=None, *, _stores=None) -> None:
        if graph is None:
            graph = graph_mod.get_default_graph()
        elif not isinstance(graph, graph_mod.Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph)}")
        if target is not None and not isinstance(target, (str, bytes)):
            raise TypeError(
                f'Argument `target` must be a string, but got "{type(target).__name__}"'
            )
        remote = isinstance(target, str) and target.startswith("grpc://")
        if target not in ("", None, "local") and not remote:
            raise errors.UnimplementedError(
                None,
                None,
                f"tfgraph runs graphs in this process; Session target {target!r} is not "
                "supported. Use Session() with no target.",
            )
        self._graph = graph
        self._target = target
        self._config = config
        self._closed = False
        self._default_ctx: DefaultSessionContext | None = None
        self._stores = _stores if _stores is not None else DeviceStores()
        self._resources = self._stores.local  # (the local task's state)
        self._ctx = KernelContext(self._stores, config, graph)
        self._cache: dict = {}
        self._cache_lock = threading.Lock()
        self._log_device_placement = bool(getattr(config, "log_device_placement", False))
        self._placement: PlacementChecker | None = (
            None  # set by the device-placement checker when it is loaded
        )
        if self._log_device_placement:
            from tfgraph.client import device_placement

            device_placement.log_device_mapping()
        self._remote = None
        if remote:  # (a server's target: the run is split across the cluster's tasks)
            from tfgraph.distributed.runtime import DistributedRunner

            self._remote = DistributedRunner(target, graph, self._stores)

    # -- properties --------------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return self._target or ""

    def list_devices(self):
        from tfgraph.client import device_placement

        return device_placement.list_devices(self)

    # -- default session ---------------------------------------------------------------
    def as_default(self):
        """A context manager making this the default session (graph unchanged)."""
        return DefaultSessionContext(self, enter_graph=False)

    def __enter__(self):
        if self._default_ctx is not None:
            raise RuntimeError(
                "Session context managers are not re-entrant. Use `Session.as_default()` if "
                "you want to enter a session multiple times."
            )
        self._default_ctx = DefaultSessionContext(self, enter_graph=True)
        return self._default_ctx.__enter__()

    def __exit__(self, exc_type, exc, tb) -> None:
        ctx, self._default_ctx = self._default_ctx, None  # no session <-> context cycle
        if ctx is not None:
            ctx.__exit__(exc_type, exc, tb)
        self.close()

    def close(self) -> None:
        """Frees all state (variable values) of this session."""
        self._closed = True
        if self._remote is not None:
            self._remote.close()
        self._cache = {}
        self._stores.reset()

    # -- running -----------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and evaluates the tensors in `fetches` (any nesting of lists,
        tuples, namedtuples and dicts), substituting `feed_dict` values."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if options is not None and getattr(options, "timeout_in_ms", 0) > 0:
            # (blocking kernels, such as queue dequeues, read this thread's deadline)
            with deadline_scope(options.timeout_in_ms):
                return self.run(fetches, feed_dict, _without_timeout(options), run_metadata)
        if self._remote is not None:
            return self._run_distributed(fetches, feed_dict)
        if run_metadata is not None and options is not None:
            if options.trace_level or getattr(options, "output_partition_graphs", False):
                return self._run_traced(fetches, feed_dict, options, run_metadata)
        cls = fetches.__class__
        if cls is list:
            fetch_key = (list, *fetches)
        elif cls is dict:
            fetch_key = (dict, *fetches.items())
        else:
            fetch_key = fetches
        if feed_dict:
            feed_keys = tuple(feed_dict)
            key = (fetch_key, feed_keys)
        else:
            feed_dict = None
            key = fetch_key
        cache = self._cache
        try:
            sig = cache.get(key)
        except TypeError:  # unhashable structure (e.g. a list): key by its leaves
            key = None
            sig = None
        if sig is None or sig.plan.mutation_count != self._graph._mutation_count:
            sig = self._signature(fetches, feed_dict, key)
        plan = sig.plan
        if feed_dict is None:
            values = plan.run(())
        elif sig.flat_feeds is None:
            values = plan.run(
                [conv(v, k) for conv, k, v in zip(sig.converters, feed_keys, feed_dict.values())]
            )
        else:
            values = plan.run(
                [conv(v, k) for conv, (k, v) in zip(sig.converters, sig.flat_feeds(feed_dict))]
            )
        return sig.build([fetch_value(v) for v in values])

    def _run_distributed(self, fetches, feed_dict):
        """`run` on a cluster: the ops go to the tasks their devices name."""
        if not self._graph._nodes:
            raise RuntimeError(
                "The Session graph is empty. Add operations to the graph before calling run()."
            )
        mapper = FetchMapper(self._graph, fetches)
        feed_tensors, feed_values = [], []
        for key, value in _flat_feed_items(feed_dict or {}):
            t = self._feed_tensor(key)
            feed_tensors.append(t)
            feed_values.append(_FeedConverter(t)(value, key))
        values = self._remote.run(mapper.tensors, mapper.ops, feed_tensors, feed_values)
        return mapper.build([fetch_value(v) for v in values])

    def _run_traced(self, fetches, feed_dict, options, run_metadata):
        """`run` filling `run_metadata` as `options` ask (see client/run_metadata.py)."""
        from tfgraph.client import run_metadata as metadata

        sig = self._signature(fetches, feed_dict or None, None)
        if not feed_dict:
            feed_values: list = []
        elif sig.flat_feeds is None:
            feed_values = [conv(v, k) for conv, (k, v) in zip(sig.converters, feed_dict.items())]
        else:
            feed_values = [
                conv(v, k) for conv, (k, v) in zip(sig.converters, sig.flat_feeds(feed_dict))
            ]
        records: list = []
        start = time.time_ns()
        if options.trace_level:
            values = sig.plan.run_traced(feed_values, records)
            metadata.fill_step_stats(run_metadata, records, sig.plan.fetch_tensors, start)
        else:
            values = sig.plan.run(feed_values)
        if options.output_partition_graphs:
            metadata.fill_partition_graphs(run_metadata, sig.plan)
        return sig.build([fetch_value(v) for v in values])

    def _signature(self, fetches, feed_dict, key) -> _RunSignature:
        graph = self._graph
        if not graph._nodes:
            raise RuntimeError(
                "The Session graph is empty. Add operations to the graph before calling run()."
            )
        mapper = FetchMapper(graph, fetches)
        elements: list[Tensor | Operation] = [*mapper.tensors, *mapper.ops]
        for element in elements:
            if isinstance(element, Tensor) and element._dtype._base is dtypes.variant:
                raise errors.InternalError(  # (a dataset: TF cannot fetch it either)
                    None, None, "Tensorflow type 21 not convertible to numpy dtype."
                )
            if not graph.is_fetchable(element):
                op = element.op if isinstance(element, Tensor) else element
                raise ValueError(
                    f"Operation {op.name} has been marked as not fetchable. Typically this "
                    "happens when it is defined in another function or code block. Use return "
                    "values, explicit Python locals or TensorFlow collections"
                )
        feed_tensors = []
        converters = []
        flat_feeds = None
        if feed_dict:
            keys = list(feed_dict)
            if any(_is_structured_key(k) for k in keys):
                flat_feeds = _flat_feed_items
                keys = [k for k, _ in _flat_feed_items(feed_dict)]
            for k in keys:
                t = self._feed_tensor(k)
                feed_tensors.append(t)
                converters.append(_FeedConverter(t))
        names_key = (
            tuple(mapper.tensors),
            tuple(mapper.ops),
            tuple(feed_tensors),
        )
        plan_cache_key = ("plan", names_key)
        plan = self._cache.get(plan_cache_key)
        if plan is None or plan.mutation_count != graph._mutation_count:
            self._check_placement(mapper, feed_tensors)
            plan = ExecutionPlan(graph, mapper.tensors, mapper.ops, feed_tensors, self._ctx)
            with self._cache_lock:
                self._cache[plan_cache_key] = plan
        sig = _RunSignature(plan, mapper.build, tuple(converters), flat_feeds)
        if key is not None:
            with self._cache_lock:
                self._cache[key] = sig
        return sig

    def _feed_tensor(self, key) -> Tensor:
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            msg = e.args[0] if e.args else str(e)
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {msg}") from None
        if not self._graph.is_feedable(t):
            raise ValueError(f"Tensor {t.name} may not be fed.")
        return t

    def _check_placement(self, mapper, feed_tensors) -> None:
        """Device checks and placement logging (see client/device_placement.py)."""
        if self._placement is None:
            from tfgraph.client import device_placement

            self._placement = device_placement.PlacementChecker(self)
        self._placement.check(mapper, feed_tensors)

    def make_callable(self, fetches, feed_list=None, accept_options: bool = False):
        """A function running `fetches` with positional feeds for `feed_list`."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        feed_list = list(feed_list or [])
        if self._remote is not None:
            return lambda *args, **kwargs: self.run(fetches, dict(zip(feed_list, args)))
        feed_dict = {k: None for k in feed_list}
        sig = self._signature(fetches, feed_dict or None, None)
        plan = sig.plan
        converters = sig.converters
        build = sig.build
        session = self

        def call(*args, **kwargs):
            if session._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(args) != len(feed_list):
                raise TypeError(
                    f"Expected {len(feed_list)} argument(s), got {len(args)}: feed_list is "
                    f"{feed_list}"
                )
            if kwargs and not accept_options:
                raise TypeError(f"Unexpected keyword arguments {sorted(kwargs)}")
            values = plan.run([conv(v, k) for conv, k, v in zip(converters, feed_list, args)])
            return build([fetch_value(v) for v in values])

        return call

    def partial_run_setup(self, fetches, feeds=None):
        """Starts a partial run that will fetch `fetches` and feed `feeds` over several
        `partial_run` calls; returns its handle."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        mapper = FetchMapper(self._graph, fetches)
        feed_tensors = [self._feed_tensor(k) for k in nest_flatten(feeds or [])]
        state = _PartialRun(mapper.tensors, mapper.ops, feed_tensors)
        self._partial_run_count = getattr(self, "_partial_run_count", 0) + 1
        handle = (
            ",".join(t.name for t in feed_tensors)
            + "->"
            + ",".join([t.name for t in mapper.tensors] + [op.name for op in mapper.ops])
            + f"//{self._partial_run_count}"
        )
        self._partial_runs = getattr(self, "_partial_runs", {})
        self._partial_runs[handle] = state
        return handle

    def partial_run(self, handle, fetches, feed_dict=None):
        """Feeds more of the partial run `handle` and fetches more of it. Every op runs
        at most once over the whole partial run, as in TF."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        state = getattr(self, "_partial_runs", {}).get(handle)
        if state is None:
            raise errors.InvalidArgumentError(
                None, None, f"Must run 'setup' before performing partial runs! ({handle})"
            )
        new_feeds = {}
        for key, value in (feed_dict or {}).items():
            t = self._feed_tensor(key)
            if t not in state.feeds:
                raise errors.InvalidArgumentError(
                    None, None, f"The feed {t.name} was not specified in partial_run_setup."
                )
            if t in state.known:
                raise errors.InvalidArgumentError(
                    None, None, f"The feed {t.name} has already been fed."
                )
            new_feeds[t] = _FeedConverter(t)(value, key)
        mapper = FetchMapper(self._graph, fetches)
        for element in [*mapper.tensors, *mapper.ops]:
            name = element.name
            if element not in state.fetches:
                raise errors.InvalidArgumentError(
                    None, None, f"The fetch {name} was not specified in partial_run_setup."
                )
            if element in state.fetched:
                raise errors.InvalidArgumentError(
                    None, None, f"The fetch {name} has already been fetched."
                )
        state.known.update(new_feeds)
        extra = state.outputs_to_keep(mapper.tensors, mapper.ops)
        wanted = [*mapper.tensors, *extra]
        values = self.run([wanted, list(mapper.ops)], feed_dict=dict(state.known))[0]
        state.known.update(zip(wanted, values))
        state.fetched.update(mapper.tensors)
        state.fetched.update(mapper.ops)
        return mapper.build(values[: len(mapper.tensors)])


def nest_flatten(structure) -> list:
    from tfgraph.framework import nest

    return nest.flatten(structure)


_NOT_KEPT = (dtypes.resource, dtypes.variant)


class _PartialRun:
    """A partial run's state: what it may feed and fetch, and the values it has (fed,
    or computed by an earlier step: fed back to later steps, so no op runs twice)."""

    def __init__(self, fetch_tensors, fetch_ops, feeds) -> None:
        self.fetches = {*fetch_tensors, *fetch_ops}
        self.feeds = set(feeds)
        self.known: dict = {}
        self.fetched: set = set()

    def outputs_to_keep(self, fetch_tensors, target_ops) -> list:
        """The values of the ops this step runs that later steps may need (every
        output that can be fed back); raises if a needed feed is missing."""
        stack = [t.op for t in fetch_tensors if t not in self.known] + list(target_ops)
        seen: set = set()
        keep = []
        while stack:
            op = stack.pop()
            if op in seen:
                continue
            seen.add(op)
            for t in op._outputs:
                if t in self.known or t in fetch_tensors:
                    continue
                # (not a variable itself, a reference with no inputs: ops that assign to
                # it need the variable; nor handles or variants)
                base = t._dtype._base
                if (t._dtype is not base and not op._inputs) or base in _NOT_KEPT:
                    continue
                if op._graph.is_feedable(t):
                    keep.append(t)
            for t in op._inputs:
                if t in self.known:
                    continue
                if t in self.feeds:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Fetch {t.name} can't be computed from the feeds that have been fed "
                        "so far.",
                    )
                stack.append(t.op)
            stack.extend(op._control_inputs)
        return keep


class Session(BaseSession):
    """A class for running TensorFlow operations (TF1 `tf.Session`)."""

    def __init__(self, target: str = "", graph=None, config=None, *, _stores=None) -> None:
        super().__init__(target, graph, config, _stores=_stores)

    @staticmethod
    def reset(target, containers=None, config=None) -> None:
        """TF resets resource containers on a server; in-process sessions own theirs."""


class InteractiveSession(BaseSession):
    """A session that installs itself as the default session on construction."""

    def __init__(self, target: str = "", graph=None, config=None) -> None:
        # As TF: an interactive session places only what each run needs.
        if config is None:
            from tfgraph.proto import ConfigProto

            config = ConfigProto()
        config.graph_options.place_pruned_graph = True
        super().__init__(target, graph, config)
        self._default_session = DefaultSessionContext(self, enter_graph=False)
        self._default_session.__enter__()
        self._explicitly_closed = False

    def close(self) -> None:
        super().close()
        if not self._explicitly_closed:
            self._explicitly_closed = True
            self._default_session.__exit__(None, None, None)
