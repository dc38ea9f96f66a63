"""tfgraph: TensorFlow 1.x graph programs on numpy.

`import tfgraph as tf` (or `import tfgraph.compat.v1 as tf`) and a TF1 script —
graphs, sessions, variables, scopes, optimizers, savers, summaries — runs unchanged
without TensorFlow installed. This module only re-exports; the implementation lives
in the subpackages (see DESIGN.md).
"""

import warnings as _warnings

# Kernels compute with numpy; TF returns inf/nan silently where numpy would warn.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tfgraph(\..*)?$")

# Namespaces: tf.nn, tf.train, tf.losses, tf.layers, tf.metrics, tf.summary, tf.io, ...
from tfgraph import (
    audio,
    bitwise,
    config,
    data,
    debugging,
    distributions,
    errors,
    experimental,
    feature_column,
    gfile,
    graph_util,
    image,
    initializers,
    io,
    keras,
    layers,
    linalg,
    logging,
    lookup,
    losses,
    manip,
    math,
    metrics,
    mixed_precision,
    nest,
    nn,
    python_io,
    quantization,
    queue,
    ragged,
    random,
    resource_loader,
    saved_model,
    sets,
    signal,
    sparse,
    spectral,
    strings,
    summary,
    train,
    types,
    version,
)

# Everything else at top level, as in TF1's `tf.*`.
from tfgraph.client.session import InteractiveSession, Session, get_default_session
from tfgraph.custom_gradient import custom_gradient, grad_pass_through, hessians, recompute_grad
from tfgraph.data.optional_ops import OptionalSpec
from tfgraph.eager import execute as _eager_execute  # (eager tensors convert to tensors)
from tfgraph.eager.function import function, init_scope
from tfgraph.eager.tape import GradientTape
from tfgraph.eager.wrap_function import wrap_function
from tfgraph.errors import OpError
from tfgraph.framework import dtypes
from tfgraph.framework.api_utils import (
    GIT_VERSION,
    GRAPH_DEF_VERSION,
    GRAPH_DEF_VERSION_MIN_CONSUMER,
    GRAPH_DEF_VERSION_MIN_PRODUCER,
    QUANTIZED_DTYPES,
    VERSION,
    broadcast_static_shape,
    container,
    convert_to_tensor_or_indexed_slices,
    get_static_value,
    is_numeric_tensor,
    is_symbolic_tensor,
    is_tensor,
    op_scope,
)
from tfgraph.framework.convert import (
    convert_to_tensor_v1 as convert_to_tensor,
)
from tfgraph.framework.convert import (
    register_tensor_conversion_function,
)
from tfgraph.framework.device import DeviceSpec
from tfgraph.framework.dtypes import (
    DType,
    as_dtype,
    bfloat16,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    qint8,
    qint16,
    qint32,
    quint8,
    quint16,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from tfgraph.framework.graph import (
    Graph,
    GraphKeys,
    add_to_collection,
    add_to_collections,
    colocate_with,
    control_dependencies,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    name_scope,
    reset_default_graph,
)
from tfgraph.framework.importer import import_graph_def
from tfgraph.framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from tfgraph.framework.ops import Operation, OperatorNotAllowedInGraphError, Tensor
from tfgraph.framework.random_seed import get_seed, set_random_seed
from tfgraph.framework.sparse_tensor import SparseTensor, SparseTensorValue
from tfgraph.framework.tensor_shape import (
    Dimension,
    TensorShape,
    dimension_at_index,
    dimension_value,
)
from tfgraph.framework.tensor_spec import TensorSpec
from tfgraph.framework.type_spec import (
    IndexedSlicesSpec,
    NoneTensorSpec,
    SparseTensorSpec,
    TypeSpec,
    type_spec_from_value,
)
from tfgraph.functional_ops import foldl, foldr, map_fn, scan, vectorized_map
from tfgraph.gradients import (
    AggregationMethod,
    NotDifferentiable,
    RegisterGradient,
    UnconnectedGradients,
    gradients,
    no_gradient,
)
from tfgraph.gradients import no_gradient as NoGradient
from tfgraph.io.tensor_proto import make_tensor_proto
from tfgraph.io.tensor_proto import public_make_ndarray as make_ndarray
from tfgraph.module import Module
from tfgraph.ops import control_flow_io as _control_flow_io  # (context protos in meta graphs)
from tfgraph.ops import function_call_ops as _function_call_ops  # (registers If, While, ...)
from tfgraph.ops import list_ops as _list_ops  # (registers the TensorList ops)
from tfgraph.ops import proto_ops as _proto_ops  # (registers DecodeProtoV2, EncodeProto)
from tfgraph.ops.accumulator_ops import (
    ConditionalAccumulator,
    ConditionalAccumulatorBase,
    SparseConditionalAccumulator,
)
from tfgraph.ops.approx_top_k_ops import approx_top_k
from tfgraph.ops.array_ops import (
    batch_gather,
    bitcast,
    boolean_mask,
    broadcast_to,
    cast,
    concat,
    constant,
    dynamic_partition,
    dynamic_stitch,
    expand_dims,
    fill,
    gather,
    gather_nd,
    identity,
    identity_n,
    invert_permutation,
    newaxis,
    one_hot,
    ones,
    ones_like,
    pad,
    placeholder,
    placeholder_with_default,
    rank,
    reshape,
    reverse,
    reverse_sequence,
    reverse_v2,
    scatter_nd,
    sequence_mask,
    setdiff1d,
    shape,
    shape_n,
    size,
    slice,
    split,
    squeeze,
    stack,
    stop_gradient,
    strided_slice,
    tile,
    to_bfloat16,
    to_complex64,
    to_complex128,
    to_double,
    to_float,
    to_int32,
    to_int64,
    transpose,
    unique,
    unstack,
    where,
    where_v2,
    zeros,
    zeros_like,
)
from tfgraph.ops.batch_space_ops import (
    batch_to_space,
    batch_to_space_nd,
    required_space_to_batch_paddings,
    space_to_batch,
    space_to_batch_nd,
)
from tfgraph.ops.check_ops import (
    Assert,
    Print,
    add_check_numerics_ops,
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_integer,
    assert_less,
    assert_less_equal,
    assert_near,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_proper_iterable,
    assert_rank,
    assert_rank_at_least,
    assert_rank_in,
    assert_same_float_dtype,
    assert_scalar,
    assert_type,
    check_numerics,
    is_non_decreasing,
    is_strictly_increasing,
    verify_tensor_all_finite,
)
from tfgraph.ops.clip_ops import clip_by_global_norm, clip_by_norm, global_norm
from tfgraph.ops.confusion_matrix import confusion_matrix
from tfgraph.ops.control_flow_case import case, switch_case
from tfgraph.ops.control_flow_ops import cond, group, no_op, tuple
from tfgraph.ops.conv_generic_ops import conv
from tfgraph.ops.conv_ops import conv2d_backprop_filter_v2, conv2d_backprop_input_v2
from tfgraph.ops.critical_section_ops import CriticalSection
from tfgraph.ops.data_flow_ops import (
    FIFOQueue,
    PaddingFIFOQueue,
    PriorityQueue,
    QueueBase,
    RandomShuffleQueue,
)
from tfgraph.ops.einsum_ops import einsum
from tfgraph.ops.fake_quant_ops import (
    fake_quant_with_min_max_args,
    fake_quant_with_min_max_args_gradient,
    fake_quant_with_min_max_vars,
    fake_quant_with_min_max_vars_gradient,
    fake_quant_with_min_max_vars_per_channel,
    fake_quant_with_min_max_vars_per_channel_gradient,
)
from tfgraph.ops.hash_ops import (
    fingerprint,
    string_to_hash_bucket,
    string_to_hash_bucket_fast,
    string_to_hash_bucket_strong,
)
from tfgraph.ops.image_patch_ops import extract_image_patches
from tfgraph.ops.init_ops import (
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    ones_initializer,
    orthogonal_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    tables_initializer,
    truncated_normal_initializer,
    uniform_unit_scaling_initializer,
    variance_scaling_initializer,
    zeros_initializer,
)
from tfgraph.ops.io_ops import string_join
from tfgraph.ops.linalg_ops import (
    cholesky,
    cholesky_solve,
    diag,
    diag_part,
    eye,
    matrix_band_part,
    matrix_determinant,
    matrix_diag,
    matrix_diag_part,
    matrix_inverse,
    matrix_set_diag,
    matrix_solve,
    matrix_solve_ls,
    matrix_square_root,
    matrix_transpose,
    matrix_triangular_solve,
    norm,
    qr,
    self_adjoint_eig,
    self_adjoint_eigvals,
    svd,
    trace,
)
from tfgraph.ops.logging_ops import print_v2 as print
from tfgraph.ops.lookup_ops import initialize_all_tables
from tfgraph.ops.manip_ops import (
    accumulate_n,
    angle,
    argsort,
    bincount,
    broadcast_dynamic_shape,
    clip_by_average_norm,
    cross,
    depth_to_space,
    ensure_shape,
    guarantee_const,
    histogram_fixed_width,
    histogram_fixed_width_bins,
    lin_space,
    linspace,
    meshgrid,
    parallel_stack,
    roll,
    searchsorted,
    sort,
    space_to_depth,
    tensor_scatter_add,
    tensor_scatter_nd_add,
    tensor_scatter_nd_max,
    tensor_scatter_nd_min,
    tensor_scatter_nd_sub,
    tensor_scatter_nd_update,
    tensor_scatter_sub,
    tensor_scatter_update,
    timestamp,
    unique_with_counts,
    unravel_index,
)
from tfgraph.ops.math_ops import (
    abs,
    acos,
    add,
    add_n,
    arg_max,
    arg_min,
    argmax,
    argmin,
    asin,
    atan,
    atan2,
    ceil,
    clip_by_value,
    complex,
    conj,
    cos,
    cosh,
    count_nonzero,
    cumprod,
    cumsum,
    div,
    div_no_nan,
    divide,
    equal,
    exp,
    expm1,
    floor,
    floor_div,
    floordiv,
    floormod,
    greater,
    greater_equal,
    imag,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    pow,
    range,
    real,
    realdiv,
    reciprocal,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    round,
    rsqrt,
    saturate_cast,
    scalar_mul,
    sigmoid,
    sign,
    sin,
    sinh,
    sparse_matmul,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
    tensordot,
    truediv,
    truncatediv,
    truncatemod,
    unsorted_segment_sum,
)
from tfgraph.ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
    decode_csv,
    decode_json_example,
    decode_raw,
    parse_example,
    parse_single_example,
)
from tfgraph.ops.quantize_ops import dequantize, quantize, quantize_v2, quantized_concat
from tfgraph.ops.ragged_cross_ops import ragged_fill_empty_rows, ragged_fill_empty_rows_grad
from tfgraph.ops.random_ops import *
from tfgraph.ops.reader_ops import (
    FixedLengthRecordReader,
    IdentityReader,
    LMDBReader,
    ReaderBase,
    TextLineReader,
    TFRecordReader,
    WholeFileReader,
    read_file,
    write_file,
)
from tfgraph.ops.repeat_ops import repeat
from tfgraph.ops.script_ops import numpy_function, py_func, py_function
from tfgraph.ops.segment_ops import (
    segment_max,
    segment_mean,
    segment_min,
    segment_prod,
    segment_sum,
    sparse_segment_mean,
    sparse_segment_sqrt_n,
    sparse_segment_sum,
    unsorted_segment_max,
    unsorted_segment_mean,
    unsorted_segment_min,
    unsorted_segment_prod,
    unsorted_segment_sqrt_n,
)
from tfgraph.ops.sequence_parsing_ops import SparseFeature, parse_single_sequence_example
from tfgraph.ops.serialize_ops import (
    decode_compressed,
    matching_files,
    parse_tensor,
    serialize_tensor,
)
from tfgraph.ops.sparse_ops import (
    convert_to_tensor_or_sparse_tensor,
    deserialize_many_sparse,
    edit_distance,
    serialize_many_sparse,
    serialize_sparse,
    sparse_add,
    sparse_concat,
    sparse_fill_empty_rows,
    sparse_mask,
    sparse_maximum,
    sparse_merge,
    sparse_minimum,
    sparse_placeholder,
    sparse_reduce_max,
    sparse_reduce_max_sparse,
    sparse_reduce_sum,
    sparse_reduce_sum_sparse,
    sparse_reorder,
    sparse_reset_shape,
    sparse_reshape,
    sparse_retain,
    sparse_slice,
    sparse_softmax,
    sparse_split,
    sparse_tensor_dense_matmul,
    sparse_tensor_to_dense,
    sparse_to_dense,
    sparse_to_indicator,
    sparse_transpose,
)
from tfgraph.ops.special_math_ops import (
    acosh,
    asinh,
    atanh,
    betainc,
    digamma,
    erf,
    erfc,
    igamma,
    igammac,
    lbeta,
    lgamma,
    log_sigmoid,
    polygamma,
    rint,
    zeta,
)
from tfgraph.ops.spectral_ops import (
    fft,
    fft2d,
    fft3d,
    fftnd,
    ifft,
    ifft2d,
    ifft3d,
    ifftnd,
    irfftnd,
    rfftnd,
)
from tfgraph.ops.state_ops import (
    assign,
    assign_add,
    assign_sub,
    batch_scatter_update,
    count_up_to,
    scatter_add,
    scatter_div,
    scatter_max,
    scatter_min,
    scatter_mul,
    scatter_nd_add,
    scatter_nd_sub,
    scatter_nd_update,
    scatter_sub,
    scatter_update,
)
from tfgraph.ops.stateless_random_ops import random_index_shuffle
from tfgraph.ops.string_ops import (
    as_string,
    decode_base64,
    encode_base64,
    reduce_join,
    regex_replace,
    string_to_number,
    substr,
)
from tfgraph.ops.string_ops import strip as string_strip
from tfgraph.ops.tensor_array_ops import TensorArray, TensorArraySpec
from tfgraph.ops.volume_patch_ops import extract_volume_patches
from tfgraph.ops.while_loop import while_loop
from tfgraph.partitioned_variables import (
    create_partitioned_variables,
    fixed_size_partitioner,
    min_max_variable_partitioner,
    variable_axis_size_partitioner,
)
from tfgraph.platform.tf_logging import get_logger
from tfgraph.platform.v2_toggles import (
    control_flow_v2_enabled,
    disable_control_flow_v2,
    disable_eager_execution,
    disable_resource_variables,
    disable_tensor_equality,
    disable_v2_behavior,
    disable_v2_tensorshape,
    enable_control_flow_v2,
    enable_eager_execution,
    enable_resource_variables,
    enable_tensor_equality,
    enable_v2_behavior,
    enable_v2_tensorshape,
    executing_eagerly,
    executing_eagerly_outside_functions,
    resource_variables_enabled,
)
from tfgraph.ragged.ragged_string_ops import string_split
from tfgraph.ragged.ragged_tensor import RaggedTensor, RaggedTensorSpec
from tfgraph.resource_variables import ResourceVariable as _ResourceVariable  # (registers)
from tfgraph.template import make_template
from tfgraph.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_local_variable,
    get_variable,
    get_variable_scope,
    no_regularizer,
    variable_op_scope,
    variable_scope,
)
from tfgraph.variables import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
    all_variables,
    assert_variables_initialized,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    initialize_local_variables,
    initialize_variables,
    is_variable_initialized,
    local_variables,
    local_variables_initializer,
    model_variables,
    moving_average_variables,
    report_uninitialized_variables,
    trainable_variables,
    variable_creator_scope,
    variables_initializer,
)

__version__ = "0.1.0"

# Protocol buffer classes TF exposes at top level, built lazily on first use so that
# `import tfgraph` does not load protobuf.
_PROTO_EXPORTS = frozenset(
    {
        "AttrValue",
        "ConfigProto",
        "Event",
        "GPUOptions",
        "GraphDef",
        "GraphOptions",
        "HistogramProto",
        "LogMessage",
        "MetaGraphDef",
        "NameAttrList",
        "NodeDef",
        "OptimizerOptions",
        "RunMetadata",
        "RunOptions",
        "SessionLog",
        "Summary",
        "SummaryMetadata",
        "TensorInfo",
        "TensorShapeProto",
        "TensorProto",
        "VariableDef",
    }
)


# Namespaces imported on first access, to keep `import tfgraph` fast: tf.app and
# tf.flags load absl, tf.test unittest and asyncio, tf.contrib slim and the contrib
# layers, tf.autograph its converter (together about a third of the import time),
# tf.distribute its strategies and cluster resolvers (6 ms).
_LAZY_NAMESPACES = frozenset(
    {"app", "autograph", "contrib", "distribute", "estimator", "flags", "test"}
)


def __getattr__(name):
    if name in _PROTO_EXPORTS:
        from tfgraph import proto

        return getattr(proto, name)
    if name in _LAZY_NAMESPACES:
        import importlib

        from tfgraph.platform.missing_names import install_under

        module = importlib.import_module(f"tfgraph.{name}")
        install_under(module, f"tf.{name}")
        return module
    if name.startswith("__"):
        raise AttributeError(f"module 'tfgraph' has no attribute {name!r}")
    # obj=None keeps Python from appending a "Did you mean" guess from tfgraph's names:
    # the likelier case is a TF1 API tfgraph does not have.
    raise AttributeError(
        f"tfgraph does not implement tf.{name} yet (module 'tfgraph' has no attribute {name!r})",
        name=name,
        obj=None,
    )


# RaggedTensor arguments to tf.* / tf.math.* / tf.nn.* / tf.strings.* functions go to tf.ragged's
# implementations (before compat.v1 copies the names).
import sys as _sys

from tfgraph.ragged.ragged_install import install_dispatch as _install_ragged_dispatch

_install_ragged_dispatch(_sys.modules[__name__], math, nn, strings, debugging)

# The APIs TF makes dispatchable consult tf.experimental.dispatch_for_api registrations
# (outermost, after the ragged wrappers; before compat.v1 copies the names).
from tfgraph.framework.dispatch import install as _install_dispatch

_install_dispatch(_sys.modules[__name__])

from tfgraph.platform.missing_names import install as _install_missing_names

_install_missing_names(_sys.modules[__name__])

# Last: tfgraph.compat.v1 re-exports everything above.
from tfgraph import compat
