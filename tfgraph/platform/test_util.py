"""`tf.test`: a TestCase with TF1's session helpers and array assertions, and TF1's
gradient checker (symbolic against numerical Jacobians)."""

from __future__ import annotations

import contextlib
import tempfile
import unittest
from typing import Any

import numpy as np

from tfgraph.framework import dtypes
from tfgraph.framework.default_session import get_default_session
from tfgraph.framework.graph import Graph, get_default_graph
from tfgraph.framework.indexed_slices import IndexedSlices
from tfgraph.framework.ops import Operation, Tensor

__all__ = [
    "TestCase",
    "compute_gradient",
    "compute_gradient_error",
    "disable_with_predicate",
    "get_temp_dir",
    "gpu_device_name",
    "is_built_with_cuda",
    "is_built_with_gpu_support",
    "is_built_with_rocm",
    "is_built_with_xla",
    "is_cpu_target_available",
    "is_gpu_available",
    "main",
    "test_src_dir_path",
    "with_eager_op_as_function",
]

_FLOATS = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


def _session(graph=None, config=None):
    from tfgraph.client.session import Session

    return Session(graph=graph, config=config)


class TestCase(unittest.TestCase):
    """TF1's `tf.test.TestCase`: each test runs in a fresh default graph; `session()`,
    `cached_session()`, `test_session()` and `evaluate()` run tensors; array assertions
    with TF's tolerances."""

    def __init__(self, methodName: str = "runTest") -> None:
        super().__init__(methodName)
        self._cached_session: Any = None
        self._graph_context: Any = None

    def setUp(self) -> None:
        super().setUp()
        context = Graph().as_default()
        context.__enter__()
        self._graph_context = context

    def tearDown(self) -> None:
        if self._cached_session is not None:
            self._cached_session.close()
            self._cached_session = None
        if self._graph_context is not None:
            self._graph_context.__exit__(None, None, None)
            self._graph_context = None
        super().tearDown()

    def get_temp_dir(self) -> str:
        return get_temp_dir()

    # -- sessions ------------------------------------------------------------------------
    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=True, force_gpu=False):
        """A new session on `graph` (the default graph), installed as the default."""
        del use_gpu, force_gpu
        graph = get_default_graph() if graph is None else graph
        with _session(graph, config) as sess, sess.as_default(), graph.as_default():
            yield sess

    @contextlib.contextmanager
    def cached_session(self, graph=None, config=None, use_gpu=True, force_gpu=False):
        """One session per test (on the default graph), reused across calls."""
        del use_gpu, force_gpu
        graph = get_default_graph() if graph is None else graph
        if self._cached_session is None or self._cached_session.graph is not graph:
            if self._cached_session is not None:
                self._cached_session.close()
            self._cached_session = _session(graph, config)
        sess = self._cached_session
        with sess.as_default(), graph.as_default():
            yield sess

    @property
    def test_session(self):
        """TF1's deprecated name for `cached_session` (a property, so that test loaders
        do not take it for a test)."""
        return self.cached_session

    def evaluate(self, tensors):
        """The values of `tensors` (any nest of them) in the default session, or in a
        session of this test's cached session."""
        sess = get_default_session()
        if sess is None:
            with self.cached_session() as cached:
                return cached.run(tensors)
        return sess.run(tensors)

    # -- assertions ----------------------------------------------------------------------
    def _value(self, a):
        if isinstance(a, (Tensor, Operation, IndexedSlices)) or hasattr(a, "_as_graph_element"):
            return self.evaluate(a)
        return a

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):
        a, b = self._value(a), self._value(b)
        if isinstance(a, dict) or isinstance(b, dict):
            self.assertEqual(set(a), set(b), msg)
            for k in a:
                self.assertAllClose(a[k], b[k], rtol=rtol, atol=atol, msg=msg)
            return
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        if a_arr.dtype == object or b_arr.dtype == object:
            self.assertEqual(len(a), len(b), msg)
            for x, y in zip(a, b):
                self.assertAllClose(x, y, rtol=rtol, atol=atol, msg=msg)
            return
        self.assertEqual(a_arr.shape, b_arr.shape, f"Shape mismatch: {msg or ''}")
        np.testing.assert_allclose(
            a_arr, b_arr, rtol=rtol, atol=atol, err_msg=msg or "", equal_nan=True
        )

    def assertAllCloseAccordingToType(
        self,
        a,
        b,
        rtol=1e-6,
        atol=1e-6,
        float_rtol=1e-6,
        float_atol=1e-6,
        half_rtol=1e-3,
        half_atol=1e-3,
        bfloat16_rtol=1e-2,
        bfloat16_atol=1e-2,
        msg=None,
    ):
        a, b = self._value(a), self._value(b)
        dt = np.asarray(a).dtype
        if dt == np.float32 or dt == np.complex64:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        elif dt == np.float16:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        elif dt.name == "bfloat16":
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertAllEqual(self, a, b, msg=None):
        a, b = np.asarray(self._value(a)), np.asarray(self._value(b))
        self.assertEqual(a.shape, b.shape, f"Shape mismatch: {msg or ''}")
        np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):
        try:
            self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)
        except AssertionError:
            return
        raise AssertionError(msg or "The two values are close at all elements")

    def assertNotAllEqual(self, a, b, msg=None):
        try:
            self.assertAllEqual(a, b, msg)
        except AssertionError:
            return
        raise AssertionError(msg or "The two values are equal at all elements")

    def assertNear(self, f1, f2, err, msg=None):
        self.assertTrue(
            f1 == f2 or abs(f1 - f2) <= err, f"{f1} != {f2} +/- {err}{' ' + msg if msg else ''}"
        )

    def assertArrayNear(self, farray1, farray2, err, msg=None):
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def _compare(self, a, comparison, b, what):
        a = np.asarray(self._value(a))
        if not np.all(comparison(a, b)):
            raise AssertionError(f"Not all elements are {what} {b}: {a}")

    def assertAllGreater(self, a, comparison_target):
        self._compare(a, np.greater, comparison_target, "greater than")

    def assertAllGreaterEqual(self, a, comparison_target):
        self._compare(a, np.greater_equal, comparison_target, "greater than or equal to")

    def assertAllLess(self, a, comparison_target):
        self._compare(a, np.less, comparison_target, "less than")

    def assertAllLessEqual(self, a, comparison_target):
        self._compare(a, np.less_equal, comparison_target, "less than or equal to")

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,
                         open_upper_bound=False):  # fmt: skip
        t = np.asarray(self._value(target))
        low = t > lower_bound if open_lower_bound else t >= lower_bound
        high = t < upper_bound if open_upper_bound else t <= upper_bound
        if not np.all(low & high):
            raise AssertionError(f"{t} is not in range [{lower_bound}, {upper_bound}]")

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):
        self.assertAllEqual(np.shape(np_array), tf_tensor.shape.as_list(), msg)

    def assertDTypeEqual(self, target, expected_dtype):
        self.assertEqual(np.asarray(self._value(target)).dtype, np.dtype(expected_dtype))

    def assertDeviceEqual(self, device1, device2, msg=None):
        self.assertEqual(str(device1 or ""), str(device2 or ""), msg)


def get_temp_dir() -> str:
    """A temporary directory for the test process (created once)."""
    global _TEMP_DIR
    if _TEMP_DIR is None:
        _TEMP_DIR = tempfile.mkdtemp(prefix="tfgraph_test_")
    return _TEMP_DIR


_TEMP_DIR: str | None = None


def main(argv=None) -> None:
    """Runs the tests of `__main__` (unittest's runner)."""
    unittest.main(argv=argv)


def is_gpu_available(cuda_only: bool = False, min_cuda_compute_capability=None) -> bool:
    """Always False: tfgraph runs on the CPU."""
    return False


def gpu_device_name() -> str:
    return ""


def is_built_with_cuda() -> bool:
    return False


def is_built_with_gpu_support() -> bool:
    """Always False: tfgraph has no GPU kernels (CUDA or ROCm)."""
    return False


def is_built_with_rocm() -> bool:
    """Always False: tfgraph has no ROCm kernels."""
    return False


def is_built_with_xla() -> bool:
    """Always False: tfgraph has no XLA compiler (TF's pip build answers True)."""
    return False


_CPU_TARGETS = ("x86", "arm", "aarch64")


def is_cpu_target_available(target: str) -> bool:
    """Whether XLA could compile for the CPU `target` ("x86", "arm", "aarch64"): always
    False in tfgraph, which has no XLA; an unknown name fails as in TF."""
    if target not in _CPU_TARGETS:
        raise AssertionError(f"Unknown CPU target: {target}")
    return False


def test_src_dir_path(relative_path: str) -> str:
    """`relative_path` under the TensorFlow sources of a Bazel test's runfiles
    ($TEST_SRCDIR/$TEST_WORKSPACE/tensorflow); KeyError outside a Bazel test, as TF."""
    import os

    return os.path.join(
        os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"], "tensorflow", relative_path
    )


def disable_with_predicate(pred, skip_message: str):
    """Decorates a test method: it is skipped with `skip_message` when `pred()` is true."""
    import functools

    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            if pred():
                self.skipTest(skip_message)
            return func(self, *args, **kwargs)

        return wrapper

    return decorator


def with_eager_op_as_function(cls=None, only_as_function: bool = False):
    """Returns `cls` unchanged (TF 2.21 keeps the decorator only for old tests)."""
    if cls is not None:
        return cls
    return lambda c: c


# -- gradient checker (TF1's gradient_checker) --------------------------------------------------
def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def _feeds(extra, new):
    out = dict(extra or {})
    out.update(new)
    return out


def _theoretical(x, x_shape, x_data, dy, dy_shape, dx, extra):
    sess = get_default_session()
    jacobian = np.zeros((_size(x_shape), _size(dy_shape)), dtype=x.dtype.as_numpy_dtype)
    dy_data = np.zeros(dy_shape, dtype=dy.dtype.as_numpy_dtype)
    flat = dy_data.reshape(-1)
    for col in range(flat.size):
        flat[col] = 1
        if isinstance(dx, IndexedSlices):
            indices, values = sess.run(
                [dx.indices, dx.values], feed_dict=_feeds(extra, {x: x_data, dy: dy_data})
            )
            width = _size(x_shape[1:])
            for i, v in zip(indices, values):
                jacobian[i * width : (i + 1) * width, col] += np.reshape(v, -1)
        else:
            backprop = sess.run(dx, feed_dict=_feeds(extra, {x: x_data, dy: dy_data}))
            jacobian[:, col] = np.reshape(backprop, -1)
        flat[col] = 0
    return jacobian


def _numeric(x, x_shape, x_data, y, y_shape, delta, extra):
    sess = get_default_session()
    jacobian = np.zeros((_size(x_shape), _size(y_shape)), dtype=x.dtype.as_numpy_dtype)
    scale = np.asarray(2 * delta, dtype=y.dtype.as_numpy_dtype)[()]
    for row in range(_size(x_shape)):
        x_pos, x_neg = x_data.copy(), x_data.copy()
        x_pos.reshape(-1)[row] += delta
        y_pos = sess.run(y, feed_dict=_feeds(extra, {x: x_pos}))
        x_neg.reshape(-1)[row] -= delta
        y_neg = sess.run(y, feed_dict=_feeds(extra, {x: x_neg}))
        jacobian[row, :] = np.reshape((y_pos - y_neg) / scale, -1)
    return jacobian


def _one(x, x_shape, y, y_shape, x_init_value, delta, extra):
    from tfgraph.gradients import gradients
    from tfgraph.ops import array_ops

    for t, what in ((x, "x"), (y, "y")):
        if t.dtype._base not in _FLOATS:
            raise TypeError(f"Don't support type {t.dtype._base.name} for {what}")
    with x.graph.as_default():
        dy = array_ops.placeholder(y.dtype._base, y_shape)
        dx = gradients(y, x, dy)[0]
    if dx is None:
        raise ValueError(f"{y.name} does not depend on {x.name}: no gradient")
    if x_init_value is not None:
        if list(np.shape(x_init_value)) != list(x_shape):
            raise ValueError(
                f"x_shape = {list(x_shape)}, init_data shape = {list(np.shape(x_init_value))}"
            )
        x_data = np.asarray(x_init_value, dtype=x.dtype.as_numpy_dtype)
    else:
        x_data = np.random.random_sample(x_shape).astype(x.dtype.as_numpy_dtype)
    return (
        _theoretical(x, x_shape, x_data, dy, y_shape, dx, extra),
        _numeric(x, x_shape, x_data, y, y_shape, delta, extra),
    )


def compute_gradient(
    x,
    x_shape,
    y,
    y_shape,
    x_init_value=None,
    delta=1e-3,
    init_targets=None,
    extra_feed_dict=None,
):
    """(symbolic Jacobian, numerical Jacobian) of `y` with respect to `x` (a list of
    such pairs when `x` is a list), computed in the default session; each Jacobian has a
    row per element of x and a column per element of y."""
    if get_default_session() is None:
        raise ValueError(
            "compute_gradient needs a default session (run it inside `with sess.as_default()`"
            " or a TestCase session)"
        )
    if init_targets is not None:
        get_default_session().run(init_targets)
    if isinstance(x, (list, tuple)):
        inits = x_init_value if x_init_value is not None else [None] * len(x)
        return [
            _one(xi, si, y, y_shape, vi, delta, extra_feed_dict)
            for xi, si, vi in zip(x, x_shape, inits)
        ]
    return _one(x, x_shape, y, y_shape, x_init_value, delta, extra_feed_dict)


def compute_gradient_error(
    x,
    x_shape,
    y,
    y_shape,
    x_init_value=None,
    delta=1e-3,
    init_targets=None,
    extra_feed_dict=None,
) -> float:
    """The largest absolute difference between the symbolic and numerical Jacobians."""
    grad = compute_gradient(
        x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict
    )
    pairs = [grad] if isinstance(grad, tuple) else grad
    error = 0.0
    for j_t, j_n in pairs:
        if j_t.size or j_n.size:
            error = max(error, float(np.fabs(j_t - j_n).max()))
    return error


# -- TF2's tf.test.compute_gradient(f, x, delta) -----------------------------------------
def _v2_numpy(value) -> np.ndarray:
    if isinstance(value, IndexedSlices):
        dense = np.zeros(tuple(_v2_numpy(value.dense_shape)), _v2_numpy(value.values).dtype)
        np.add.at(dense, _v2_numpy(value.indices), _v2_numpy(value.values))
        return dense
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _theoretical_jacobian(f, xs, param, y_shape, y_dtype) -> np.ndarray:
    from tfgraph.eager.tape import GradientTape
    from tfgraph.framework.convert import constant

    x = xs[param]
    y_size = int(np.prod(y_shape))
    jacobian = np.zeros((y_size, int(np.prod(x.shape))), x.dtype.as_numpy_dtype)
    dy = np.zeros(y_shape, y_dtype.as_numpy_dtype)
    for row in range(y_size):
        dy.reshape(-1)[row] = 1
        with GradientTape() as tape:
            tape.watch(x)
            y = f(*xs)
        grad = tape.gradient(y, x, output_gradients=constant(dy))
        if grad is not None:
            jacobian[row, :] = _v2_numpy(grad).reshape(-1)
        dy.reshape(-1)[row] = 0
    return jacobian


def _numeric_jacobian(f, xs, param, y_size, y_dtype, delta) -> np.ndarray:
    from tfgraph.framework.convert import convert_to_tensor

    values = [_v2_numpy(x).copy() for x in xs]
    x = values[param]
    flat = x.reshape(-1)
    scale = np.asarray(2 * delta, dtype=y_dtype.as_numpy_dtype)[()]
    jacobian = np.zeros((y_size, x.size), x.dtype)

    def run():
        return _v2_numpy(f(*[convert_to_tensor(v) for v in values]))

    for col in range(x.size):
        original = flat[col]
        flat[col] += delta
        y_pos = run()
        flat[col] = original
        flat[col] -= delta
        y_neg = run()
        flat[col] = original
        jacobian[:, col] = ((y_pos - y_neg) / scale).reshape(-1)
    return jacobian


def compute_gradient_v2(f, x, delta=None):
    """TF2's `tf.test.compute_gradient`: (theoretical, numerical) Jacobians of `f` with
    respect to each argument in `x` (a list), each of shape [y size, x size]; the
    theoretical from a GradientTape, the numerical by central differences with step
    `delta` (default 1/1024). Eager, real dtypes."""
    from tfgraph.eager.context import executing_eagerly
    from tfgraph.framework.convert import convert_to_tensor

    if not isinstance(x, (list, tuple)):
        raise ValueError(
            "`x` must be a list or tuple of values convertible to a Tensor "
            f"(arguments to `f`), not a {type(x)}"
        )
    if not executing_eagerly():
        raise NotImplementedError(
            "tf.test.compute_gradient (TF2) runs eagerly in tfgraph; in a TF1 graph use "
            "tf.compat.v1.test.compute_gradient"
        )
    delta = 1.0 / 1024 if delta is None else delta
    xs = [convert_to_tensor(v) for v in x]
    for t in xs:
        if not t.dtype.is_floating:
            raise NotImplementedError(
                "tf.test.compute_gradient: tfgraph handles real floating arguments, got "
                f"{t.dtype.name}"
            )
    y = f(*xs)
    y_shape, y_dtype = tuple(y.shape.as_list()), y.dtype
    theoretical, numerical = [], []
    for i in range(len(xs)):
        theoretical.append(_theoretical_jacobian(f, xs, i, y_shape, y_dtype))
        numerical.append(_numeric_jacobian(f, xs, i, int(np.prod(y_shape)), y_dtype, delta))
    return tuple(theoretical), tuple(numerical)
