"""`tf.test`: TestCase, the gradient checker and environment queries (re-exports only)."""

from unittest import mock

from tfgraph import test_experimental as experimental
from tfgraph.distributed.server import create_local_cluster
from tfgraph.platform.benchmark import Benchmark, benchmark_config
from tfgraph.platform.graph_def_diff import assert_equal_graph_def
from tfgraph.platform.stubout import StubOutForTesting
from tfgraph.platform.test_util import (
    TestCase,
    compute_gradient,
    compute_gradient_error,
    disable_with_predicate,
    get_temp_dir,
    gpu_device_name,
    is_built_with_cuda,
    is_built_with_gpu_support,
    is_built_with_rocm,
    is_built_with_xla,
    is_cpu_target_available,
    is_gpu_available,
    main,
    test_src_dir_path,
    with_eager_op_as_function,
)

__all__ = [
    "Benchmark",
    "StubOutForTesting",
    "TestCase",
    "assert_equal_graph_def",
    "benchmark_config",
    "compute_gradient",
    "compute_gradient_error",
    "create_local_cluster",
    "disable_with_predicate",
    "experimental",
    "get_temp_dir",
    "gpu_device_name",
    "is_built_with_cuda",
    "is_built_with_gpu_support",
    "is_built_with_rocm",
    "is_built_with_xla",
    "is_cpu_target_available",
    "is_gpu_available",
    "main",
    "mock",
    "test_src_dir_path",
    "with_eager_op_as_function",
]
