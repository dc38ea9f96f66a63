"""The gradient contract over the whole op registry.

Every registered op type is either declared NOT_DIFFERENTIABLE, listed below as having
no gradient in TensorFlow either (or as owned elsewhere and pending), or has an entry in
`CASES`: a small valid instance whose symbolic gradient (tf.gradients of a random linear
function of the op's outputs) is compared with a central-difference numerical gradient
computed in float64. A registered differentiable op without an entry fails the test, so
every new op must add one. For each entry the op's shape rule is also checked against
the shapes its kernel produces, and the kernel's output dtypes against the declared ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

import tfgraph as tf
from tfgraph.framework import registry
from tfgraph.framework.registry import NOT_DIFFERENTIABLE
from tfgraph.ops import (
    array_ops,
    control_flow_ops,
    image_transform_ops,  # (tf.contrib.image's ops: registered here whatever ran before)
    isotonic_ops,
    linalg_more_ops,
    linalg_ops,
    math_ops,
)
from tfgraph.ops.apply import apply_op, op_output

# Ops whose gradient TensorFlow does not define either: tf.gradients raises LookupError
# through them, as in TF.
NO_GRADIENT_IN_TF = {
    "Bucketize": "TF registers no gradient for Bucketize",
    "DecodeWav": "TF registers no gradient for DecodeWav",
    "EncodeWav": "TF registers no gradient for EncodeWav",
    "Lu": "TF registers no gradient for Lu",
    "MatrixLogarithm": "TF registers no gradient for MatrixLogarithm",
    "Dilation2DBackpropInput": "TF registers no gradient for Dilation2DBackpropInput",
    "Dilation2DBackpropFilter": "TF registers no gradient for Dilation2DBackpropFilter",
    "ResizeNearestNeighborGrad": "TF registers no gradient for ResizeNearestNeighborGrad",
    "AdjustContrastv2": "TF registers no gradient for AdjustContrastv2",
    "AdjustHue": "TF registers no gradient for AdjustHue",
    "ResizeArea": "TF registers no gradient for ResizeArea",
    "AdjustSaturation": "TF registers no gradient for AdjustSaturation",
    "IgammaGradA": "TF registers no gradient for IgammaGradA",
    "RandomGammaGrad": "TF registers no gradient for RandomGammaGrad",
    "GuaranteeConst": "TF registers no gradient for GuaranteeConst",
    "ParallelConcat": "TF registers no gradient for ParallelConcat",
    "ScatterMin": "TF registers no gradient for ScatterMin",
    "ScatterMax": "TF registers no gradient for ScatterMax",
    "UniqueWithCounts": "TF registers no gradient for UniqueWithCounts",
    "LRNGrad": "TF registers no gradient for LRNGrad",
    "MaxPoolGradWithArgmax": "TF registers no gradient for MaxPoolGradWithArgmax",
    "ScatterUpdate": "TF registers no gradient for ScatterUpdate",
    "SoftsignGrad": "TF registers no gradient for SoftsignGrad",
    "TruncateMod": "TF registers no gradient for TruncateMod",
    "Unique": "TF registers no gradient for Unique",
    "Conv2DBackpropInputV2": "TF registers no gradient for Conv2DBackpropInputV2",
    "Conv2DBackpropFilterV2": "TF registers no gradient for Conv2DBackpropFilterV2",
    "FFTND": "TF registers no gradient for FFTND",
    "IFFTND": "TF registers no gradient for IFFTND",
    "RFFTND": "TF registers no gradient for RFFTND",
    "IRFFTND": "TF registers no gradient for IRFFTND",
    "QuantizeV2": "TF registers no gradient for QuantizeV2",
    "Dequantize": "TF registers no gradient for Dequantize",
    "QuantizedConcat": "TF registers no gradient for QuantizedConcat",
    "RFFT3D": "TF registers no gradient for RFFT3D",
    "FractionalMaxPoolGrad": "TF registers no gradient for FractionalMaxPoolGrad",
    "FractionalAvgPoolGrad": "TF registers no gradient for FractionalAvgPoolGrad",
    "EncodePng": "TF registers no gradient for EncodePng",
    "EncodeJpeg": "TF registers no gradient for EncodeJpeg",
    "EncodeJpegVariableQuality": "TF registers no gradient for EncodeJpegVariableQuality",
    "DecodeBmp": "TF registers no gradient for DecodeBmp",
    "DecodeGif": "TF registers no gradient for DecodeGif",
    "DecodeAndCropJpeg": "TF registers no gradient for DecodeAndCropJpeg",
    "ExtractJpegShape": "TF registers no gradient for ExtractJpegShape",
    "DecodeWebP": "TF registers no gradient for DecodeWebP",
    "DecodeImage": "TF registers no gradient for DecodeImage",
    "DecodeJxl": "TF registers no gradient for DecodeJxl",
    "ExtractGlimpseV2": "TF registers no gradient for ExtractGlimpseV2",
    "DrawBoundingBoxesV2": "TF registers no gradient for DrawBoundingBoxesV2",
    "CropAndResizeGradImage": "TF registers no gradient for CropAndResizeGradImage",
    "CropAndResizeGradBoxes": "TF registers no gradient for CropAndResizeGradBoxes",
    "NonMaxSuppressionV3": "TF registers no gradient for NonMaxSuppressionV3",
    "NonMaxSuppressionV4": "TF registers no gradient for NonMaxSuppressionV4",
    "NonMaxSuppressionV5": "TF registers no gradient for NonMaxSuppressionV5",
    "CombinedNonMaxSuppression": "TF registers no gradient for CombinedNonMaxSuppression",
    "SparseCross": "TF registers no gradient for SparseCross",
    "SparseCrossHashed": "TF registers no gradient for SparseCrossHashed",
    "SparseCrossV2": "TF registers no gradient for SparseCrossV2",
    "IRFFT3D": "TF registers no gradient for IRFFT3D",
    "StatelessRandomGetKeyCounter": "TF registers no gradient for StatelessRandomGetKeyCounter",
    "StatelessShuffle": "TF registers no gradient for StatelessShuffle",
    "StatelessRandomGetKeyCounterAlg": "TF registers no gradient for it",
    "StatelessRandomGetAlg": "TF registers no gradient for StatelessRandomGetAlg",
    "ParseSequenceExampleV2": "TF registers no gradient for ParseSequenceExampleV2",
    # (string and integer ops: TF registers no gradient for them)
    "UnicodeDecode": "TF registers no gradient for UnicodeDecode",
    "UnicodeDecodeWithOffsets": "TF registers no gradient for UnicodeDecodeWithOffsets",
    "UnicodeEncode": "TF registers no gradient for UnicodeEncode",
    "UnicodeTranscode": "TF registers no gradient for UnicodeTranscode",
    "UnicodeScript": "TF registers no gradient for UnicodeScript",
    "StringNGrams": "TF registers no gradient for StringNGrams",
    "RaggedCross": "TF registers no gradient for RaggedCross",
    "SymbolicGradient": "TF registers no gradient for SymbolicGradient",
    "MutexV2": "TF registers no gradient for MutexV2",
    "MutexLock": "TF registers no gradient for MutexLock",
    "ConsumeMutexLock": "TF registers no gradient for ConsumeMutexLock",
    "QuantizedConv2D": "TF registers no gradient for QuantizedConv2D",
    "QuantizedMaxPool": "TF registers no gradient for QuantizedMaxPool",
    "QuantizedAvgPool": "TF registers no gradient for QuantizedAvgPool",
    "QuantizedRelu": "TF registers no gradient for QuantizedRelu",
    "QuantizedRelu6": "TF registers no gradient for QuantizedRelu6",
    "QuantizedReluX": "TF registers no gradient for QuantizedReluX",
    "Conv": "TF registers no gradient for Conv",
    "OptionalNone": "TF registers no gradient for OptionalNone",
    "OptionalHasValue": "TF registers no gradient for OptionalHasValue",
    "IteratorGetNextAsOptional": "TF registers no gradient for IteratorGetNextAsOptional",
    "FakeQueue": "TF registers no gradient for FakeQueue",
    **{
        name: f"TF registers no gradient for {name}"
        for name in (
            "SparseConditionalAccumulator",
            "SparseAccumulatorApplyGradient",
            "SparseAccumulatorTakeGradient",
            "AccumulatorNumAccumulated",
            "AccumulatorSetGlobalStep",
        )
    },
}
# Stateful random ops over an RNG-state variable (tf.random.Generator), the bincount ops
# and SobolSample: TF registers no gradient for them.
NO_GRADIENT_IN_TF.update(
    {
        name: f"TF registers no gradient for {name}"
        for name in (
            "DenseBincount",
            "DenseCountSparseOutput",
            "NonDeterministicInts",
            "RaggedBincount",
            "RaggedCountSparseOutput",
            "RngReadAndSkip",
            "RngSkip",
            "SobolSample",
            "SparseBincount",
            "SparseCountSparseOutput",
            "StatefulRandomBinomial",
            "StatefulStandardNormalV2",
            "StatefulTruncatedNormal",
            "StatefulUniform",
            "StatefulUniformFullInt",
            "StatefulUniformInt",
        )
    }
)
# Training ops (tfgraph/ops/training_ops.py): TF registers no gradient for them either.
NO_GRADIENT_IN_TF.update(
    {
        name: "TF registers no gradient for training ops"
        for name in registry.registered_ops()
        if name.startswith(("Apply", "SparseApply", "ResourceApply", "ResourceSparseApply"))
    }
)

# Differentiable in TF, gradient not written here yet (the owner is named).
# Differentiable ops whose gradient a numerical difference cannot check (their outputs are
# random draws): each named test compares the gradient with TF's instead.
CHECKED_AGAINST_TF: dict[str, str] = {
    "RandomGamma": "tests/ops/test_random_gamma.py (implicit reparameterization, as TF)",
    "StatelessRandomGammaV3": "tests/ops/test_stateless_random_ops.py (as TF's, wrt alpha)",
    "StatelessRandomGammaV2": "the gradient of StatelessRandomGammaV3 (one helper)",
    "StatelessParameterizedTruncatedNormal": "tests/ops/test_stateless_random_ops.py (TF's)",
}
PENDING: dict[str, str] = {
    name: "gradients through while loops: issue 12 (control flow and RNNs)"
    for name in (
        # (a while_loop never makes these: its Merges and Switches forward values)
        "RefExit", "RefNextIteration",
    )
}  # fmt: skip
PENDING.update(
    {
        "EagerPyFunc": "gradient of tf.py_function not written yet (issue 14)",
    }
)
NO_GRADIENT_IN_TF.update(
    {
        "EmptyTensorList": "TF registers no gradient for EmptyTensorList",
        "TensorListReserve": "TF registers no gradient for TensorListReserve",
    }
)


@dataclasses.dataclass
class Case:
    """A small instance of one op: `build(*inputs)` returns the output(s) to
    differentiate; `values` are the input values (placeholders of these dtypes/shapes, or
    Variables when `variables` is set)."""

    build: Callable
    values: list
    op: str | None = None  # the op type the case exercises (default: the CASES key)
    rtol: float = 1e-6
    atol: float = 1e-8
    eps: float = 1e-6
    variables: bool = False
    resource: bool = False  # the variables are resource variables


_rng = np.random.RandomState(1234)


def rnd(*shape):
    return _rng.randn(*shape)


def pos(*shape):
    return _rng.uniform(0.5, 2.0, shape)


def away(*shape):
    """Values with |x| in [0.3, 2] (away from kinks at zero)."""
    return _rng.uniform(0.3, 2.0, shape) * _rng.choice([-1.0, 1.0], shape)


def unit(*shape):
    return _rng.uniform(-0.8, 0.8, shape)


def distinct(*shape):
    """A random permutation of well separated values (no ties for max/min/top_k)."""
    n = int(np.prod(shape))
    return (_rng.permutation(n) * 0.37 - n * 0.15).reshape(shape)


def dist(*shape):
    """Rows that are probability distributions (what the xent backprop assumes)."""
    v = _rng.uniform(0.1, 1.0, shape)
    return v / v.sum(axis=-1, keepdims=True)


def f32(v):
    return np.asarray(v, dtype=np.float32)


LOOSE32 = {"rtol": 2e-2, "atol": 2e-3, "eps": 1e-2}


def _pred(value: bool):
    return tf.constant(value)


def _cond(x, pred):
    return tf.cond(_pred(pred), lambda: x * 2.0 + 1.0, lambda: tf.square(x))


def _manual_merge(x, pred):
    f, t = control_flow_ops.switch(x, _pred(pred))
    return control_flow_ops.merge([f * 3.0, tf.square(t)])[0]


def _ref_switch(v, pred):
    f, t = control_flow_ops.switch(v._ref(), _pred(pred))
    return control_flow_ops.merge([tf.identity(f) * 3.0, tf.square(t)])[0]


def _ref_merge(x, pred):
    f, t = control_flow_ops.switch(x, _pred(pred))
    return apply_op("RefMerge", None, [[f * 3.0, tf.square(t)]])._outputs[0]


def _loop(x, k):
    """A while loop: x is a loop variable, k a loop invariant (three iterations). (The
    cases check the Exits' outputs: a plan cannot fetch a loop's Enter alone yet.)"""
    return tf.while_loop(
        lambda i, y: i < 3, lambda i, y: (i + 1, tf.sin(y) * k + y), [tf.constant(0), x]
    )[1]


def _ref_invariant_loop(v):
    ref = v._ref()
    return tf.while_loop(
        lambda i, y: i < 2, lambda i, y: (i + 1, y * tf.identity(ref)), [tf.constant(0), v * 1.0]
    )[1]


def _fused_bn(x, scale, offset, training=True, fmt="NHWC"):
    mean = variance = None
    if not training:
        mean, variance = f32([0.1, -0.2, 0.3]), f32([1.5, 0.7, 2.0])
    y, _, _ = tf.nn.fused_batch_norm(
        x, scale, offset, mean, variance, is_training=training, data_format=fmt
    )
    return y


def _fused_bn_grad(x, scale, dy, training=True, fmt="NHWC"):
    """The input gradients of a fused batch norm (a FusedBatchNormGradV3 op)."""
    y = _fused_bn(x, scale, tf.constant(f32([0.3, -0.1, 0.2])), training, fmt)
    return tf.gradients(y, [x, scale], grad_ys=dy)


def _spd(n):
    """A well conditioned symmetric positive definite matrix."""
    m = rnd(n, n)
    return m @ m.T + np.eye(n) * n


# (a nonsymmetric matrix with well separated real eigenvalues, for Eig)
_EIG_A = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.2, 0.1, 1.0]])


def _sym(a):
    return (a + tf.transpose(a)) * 0.5


def _tri(n):
    """A well conditioned lower-triangular matrix (with random upper junk the solve
    must ignore)."""
    return rnd(n, n) * 0.3 + np.eye(n) * 2.0


def _binary(fn, a_shape=(3, 4), b_shape=(4,), gen=rnd):
    return Case(lambda a, b: fn(a, b), [gen(*a_shape), gen(*b_shape)])


# -- conv family helpers ----------------------------------------------------------------------
def _conv_attrs(strides=(1, 1, 1, 1), padding="SAME", fmt="NHWC", dilations=(1, 1, 1, 1), pads=()):
    return {
        "strides": list(strides),
        "padding": padding.encode(),
        "explicit_paddings": list(pads),
        "data_format": fmt.encode(),
        "dilations": list(dilations),
    }


def _raw(op_type, inputs, **kw):
    return op_output(op_type, None, inputs, _conv_attrs(**kw))


def _pool_attrs(ksize, strides, padding="VALID", fmt="NHWC", pads=None):
    attrs = {"ksize": list(ksize), "strides": list(strides), "padding": padding.encode()}
    attrs["data_format"] = fmt.encode()
    if pads is not None:
        attrs["explicit_paddings"] = list(pads)
    return attrs


def _max_pool_grad(x, dy, op_type="MaxPoolGrad", **kw):
    """MaxPoolGrad(x, max_pool(x), dy) (or MaxPoolGradGrad with dy shaped like x)."""
    attrs = _pool_attrs(**kw)
    y = op_output("MaxPool", None, [x], dict(attrs))
    if op_type == "MaxPoolGradGrad":
        attrs.pop("explicit_paddings", None)
    return op_output(op_type, None, [x, y, dy], attrs)


def _max_pool3d_grad(x, dy, op_type):
    """MaxPool3DGrad(x, max_pool3d(x), dy) (or MaxPool3DGradGrad, dy shaped like x)."""
    attrs = _pool_attrs([1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "SAME", "NDHWC")
    y = op_output("MaxPool3D", None, [x], dict(attrs))
    return op_output(op_type, None, [x, y, dy], attrs)


_NCHW_EXPLICIT = {"fmt": "NCHW", "padding": "EXPLICIT", "pads": (0, 0, 0, 0, 1, 0, 2, 1)}
_NHWC_EXPLICIT = {"padding": "EXPLICIT", "pads": (0, 0, 1, 2, 0, 1, 0, 0)}


CASES: dict[str, list[Case]] = {
    # -- unary math -------------------------------------------------------------------------
    "Abs": [Case(tf.abs, [away(3, 4)])],
    # (an optional round trip: OptionalFromValue's and OptionalGetValue's gradients)
    "OptionalFromValue": [
        Case(
            lambda a, b: tf.data.experimental.Optional.from_value((a, b)).get_value()[0] * b,
            [rnd(3), rnd()],
        )
    ],
    "OptionalGetValue": [
        Case(lambda a: tf.data.experimental.Optional.from_value(a).get_value(), [rnd(2, 3)])
    ],
    "Neg": [Case(tf.negative, [rnd(3, 4)])],
    "Square": [Case(tf.square, [rnd(3, 4)])],
    "Sqrt": [Case(tf.sqrt, [pos(3, 4)])],
    "Rsqrt": [Case(tf.rsqrt, [pos(3, 4)])],
    "Exp": [Case(tf.exp, [rnd(3, 4)])],
    "Log": [Case(tf.log, [pos(3, 4)])],
    "Log1p": [Case(tf.log1p, [pos(3, 4)])],
    "Expm1": [Case(tf.expm1, [rnd(3, 4)])],
    "Sigmoid": [Case(tf.sigmoid, [rnd(3, 4)])],
    "Tanh": [Case(tf.tanh, [rnd(3, 4)])],
    "Sign": [Case(tf.sign, [away(3, 4)])],
    "Round": [Case(tf.round, [away(3, 4)])],
    "Floor": [Case(tf.floor, [away(3, 4)])],
    "Ceil": [Case(tf.ceil, [away(3, 4)])],
    "Reciprocal": [Case(tf.reciprocal, [away(3, 4)])],
    "Sin": [Case(tf.sin, [rnd(3, 4)])],
    "Cos": [Case(tf.cos, [rnd(3, 4)])],
    "Tan": [Case(tf.tan, [unit(3, 4)])],
    "Asin": [Case(tf.asin, [unit(3, 4)])],
    "Acos": [Case(tf.acos, [unit(3, 4)])],
    "Atan": [Case(tf.atan, [rnd(3, 4)])],
    "Sinh": [Case(tf.sinh, [rnd(3, 4)])],
    "Cosh": [Case(tf.cosh, [rnd(3, 4)])],
    "Einsum": [
        _binary(lambda a, b: tf.einsum("ij,jk->ik", a, b), (3, 4), (4, 2)),
        _binary(lambda a, b: tf.einsum("bij,bjk->bk", a, b), (2, 3, 4), (2, 4, 5)),
        _binary(lambda a, b: tf.einsum("...ij,jk->...ik", a, b), (5, 2, 3), (3, 4)),
        _binary(lambda a, b: tf.einsum("ij,kj->", a, b), (3, 4), (2, 4)),
        Case(lambda a: tf.einsum("iij->ji", a), [rnd(3, 3, 2)]),
        Case(lambda a: tf.einsum("ij->j", a), [rnd(3, 4)]),
        Case(lambda a: tf.einsum("ij->ji", a), [rnd(3, 4)]),
    ],
    # special functions (tfgraph/ops/special_math_ops.py)
    "Erf": [Case(tf.erf, [rnd(3, 4)])],
    "BesselI0": [Case(tf.math.bessel_i0, [rnd(3, 4)])],
    "BesselI0e": [Case(tf.math.bessel_i0e, [away(3, 4)])],
    "BesselI1": [Case(tf.math.bessel_i1, [away(3, 4)])],
    "BesselI1e": [Case(tf.math.bessel_i1e, [away(3, 4)])],
    "BesselJ0": [Case(tf.math.special.bessel_j0, [rnd(3, 4)])],
    "BesselJ1": [Case(tf.math.special.bessel_j1, [away(3, 4)])],
    "BesselK0": [Case(tf.math.special.bessel_k0, [pos(3, 4)])],
    "BesselK0e": [Case(tf.math.special.bessel_k0e, [pos(3, 4)])],
    "BesselK1": [Case(tf.math.special.bessel_k1, [pos(3, 4)])],
    "BesselK1e": [Case(tf.math.special.bessel_k1e, [pos(3, 4)])],
    "BesselY0": [Case(tf.math.special.bessel_y0, [pos(3, 4)])],
    "BesselY1": [Case(tf.math.special.bessel_y1, [pos(3, 4)])],
    "Dawsn": [Case(tf.math.special.dawsn, [rnd(3, 4)])],
    "Expint": [Case(tf.math.special.expint, [pos(3, 4)])],
    "FresnelCos": [Case(tf.math.special.fresnel_cos, [rnd(3, 4)])],
    "FresnelSin": [Case(tf.math.special.fresnel_sin, [rnd(3, 4)])],
    "Spence": [Case(tf.math.special.spence, [pos(3, 4)])],
    "Erfinv": [Case(lambda x: tf.math.erfinv(tf.tanh(x) * 0.9), [rnd(3, 4)])],
    "Ndtri": [Case(lambda x: tf.math.ndtri(tf.sigmoid(x)), [rnd(3, 4)])],
    "MulNoNan": [
        Case(tf.math.multiply_no_nan, [rnd(3, 4), rnd(3, 4)]),
        Case(tf.math.multiply_no_nan, [rnd(3, 4), rnd(4)]),
    ],
    "EuclideanNorm": [
        Case(lambda x: tf.math.reduce_euclidean_norm(x, 1), [away(3, 4)]),
        Case(lambda x: tf.math.reduce_euclidean_norm(x, 0, keepdims=True), [away(3, 4)]),
    ],
    "CumulativeLogsumexp": [
        Case(lambda x: tf.math.cumulative_logsumexp(x, 1), [rnd(3, 4)]),
        # (exclusive outputs start at -inf, where central differences are nan; that
        # gradient is compared with TF's in tests/ops/test_math_more_ops.py)
        Case(lambda x: tf.math.cumulative_logsumexp(x, 0, reverse=True), [rnd(3, 4)]),
    ],
    "NextAfter": [Case(tf.math.nextafter, [rnd(3, 4), rnd(3, 4)])],
    "Rint": [Case(tf.rint, [away(3, 4)])],
    "Erfc": [Case(tf.erfc, [rnd(3, 4)])],
    "Lgamma": [Case(tf.lgamma, [pos(3, 4)])],
    "Digamma": [Case(tf.digamma, [pos(3, 4)])],
    "Asinh": [Case(tf.asinh, [rnd(3, 4)])],
    "Acosh": [Case(lambda x: tf.acosh(x + 1.5), [pos(3, 4)])],
    "Atanh": [Case(tf.atanh, [unit(3, 4)])],
    "Polygamma": [
        Case(lambda x: tf.polygamma(tf.constant([[0.0], [1.0], [2.0]], tf.float64), x), [pos(3, 4)])
    ],
    "Zeta": [Case(lambda q: tf.zeta(tf.constant([[2.0], [3.0], [4.5]], tf.float64), q), [pos(4)])],
    "Igamma": [_binary(tf.igamma, (3, 4), (4,), pos)],
    "Igammac": [_binary(tf.igammac, (3, 4), (4,), pos)],
    "Betainc": [
        Case(
            lambda x: tf.betainc(
                tf.constant([0.5, 2.0, 3.0], tf.float64),
                tf.constant([1.5, 2.0, 0.7], tf.float64),
                x,
            ),
            [np.array([0.2, 0.5, 0.8])],
        )
    ],
    "Xlogy": [_binary(tf.math.xlogy, (3, 4), (4,), pos)],
    "Xlog1py": [_binary(tf.math.xlog1py, (3, 4), (4,), pos)],
    "Xdivy": [_binary(tf.math.xdivy, (3, 4), (4,), pos)],
    "SigmoidGrad": [
        Case(lambda y, dy: op_output("SigmoidGrad", None, [y, dy]), [unit(3, 4), rnd(3, 4)])
    ],
    "TanhGrad": [Case(lambda y, dy: op_output("TanhGrad", None, [y, dy]), [unit(3, 4), rnd(3, 4)])],
    "SqrtGrad": [Case(lambda y, dy: op_output("SqrtGrad", None, [y, dy]), [pos(3, 4), rnd(3, 4)])],
    "RsqrtGrad": [
        Case(lambda y, dy: op_output("RsqrtGrad", None, [y, dy]), [pos(3, 4), rnd(3, 4)])
    ],
    "ReciprocalGrad": [
        Case(lambda y, dy: op_output("ReciprocalGrad", None, [y, dy]), [rnd(3, 4), rnd(3, 4)])
    ],
    "ComplexAbs": [Case(lambda a, b: tf.abs(math_ops.complex(a, b)), [away(3, 4), away(3, 4)])],
    "Conj": [
        Case(
            lambda a, b: math_ops.imag(math_ops.conj(math_ops.complex(a, b)) * 2.0),
            [rnd(3, 4), rnd(3, 4)],
        )
    ],
    "Complex": [
        Case(
            lambda a, b: math_ops.real(math_ops.complex(a, b) * math_ops.complex(b, a)),
            [rnd(3, 4), rnd(4)],
        )
    ],
    "Real": [Case(lambda a, b: math_ops.real(math_ops.complex(a, b) ** 2), [rnd(3, 4), rnd(3, 4)])],
    "Imag": [Case(lambda a, b: math_ops.imag(math_ops.complex(a, b) ** 2), [rnd(3, 4), rnd(3, 4)])],
    # -- binary math (broadcasting) ---------------------------------------------------------
    "AddV2": [
        _binary(tf.add),
        _binary(tf.add, (3, 4), (3, 4)),
        _binary(tf.add, (2, 1, 3), (4, 1)),
        _binary(tf.add, (), (2, 3)),
    ],
    "Add": [Case(lambda a, b: op_output("Add", None, [a, b]), [rnd(3, 1), rnd(1, 4)])],
    "Sub": [_binary(tf.subtract), _binary(tf.subtract, (3, 4), (3, 4))],
    "Mul": [
        _binary(tf.multiply),
        _binary(tf.multiply, (3, 4), (3, 4)),
        _binary(tf.multiply, (3, 1), ()),
    ],
    "RealDiv": [_binary(tf.truediv, (3, 4), (3, 1), away)],
    "Div": [Case(lambda a, b: op_output("Div", None, [a, b]), [rnd(3, 4), away(4)])],
    "DivNoNan": [_binary(tf.div_no_nan, (3, 4), (4,), away)],
    "FloorDiv": [_binary(tf.floordiv, (3, 4), (4,), away)],
    "TruncateDiv": [_binary(tf.truncatediv, (3, 4), (4,), away)],
    "FloorMod": [_binary(tf.floormod, (3, 4), (4,), pos)],
    "Pow": [_binary(tf.pow, (3, 4), (4,), pos)],
    "Maximum": [Case(tf.maximum, [distinct(3, 4), distinct(4)])],
    "Minimum": [Case(tf.minimum, [distinct(3, 4), distinct(3, 1)])],
    "SquaredDifference": [
        _binary(tf.squared_difference),
        _binary(tf.squared_difference, (3, 4), (3, 4)),
    ],
    "Atan2": [_binary(tf.atan2, (3, 4), (4,), away)],
    "AddN": [Case(lambda a, b, c: tf.add_n([a, b, c]), [rnd(3, 4), rnd(3, 4), rnd(3, 4)])],
    # -- matmul, reductions, scans ------------------------------------------------------------
    "MatMul": [
        Case(tf.matmul, [rnd(3, 4), rnd(4, 2)]),
        Case(lambda a, b: tf.matmul(a, b, transpose_a=True), [rnd(4, 3), rnd(4, 2)]),
        Case(lambda a, b: tf.matmul(a, b, transpose_b=True), [rnd(3, 4), rnd(2, 4)]),
        Case(lambda a, b: tf.matmul(a, b, True, True), [rnd(4, 3), rnd(2, 4)]),
    ],
    "BatchMatMulV2": [
        Case(tf.matmul, [rnd(2, 3, 4), rnd(2, 4, 2)]),
        Case(lambda a, b: tf.matmul(a, b, adjoint_a=True), [rnd(2, 4, 3), rnd(1, 4, 2)]),
        Case(lambda a, b: tf.matmul(a, b, adjoint_b=True), [rnd(3, 4), rnd(2, 2, 4)]),
        Case(
            lambda a, b: tf.matmul(a, b, adjoint_a=True, adjoint_b=True), [rnd(2, 4, 3), rnd(2, 4)]
        ),
    ],
    "Sum": [
        Case(lambda x: tf.reduce_sum(x, 1), [rnd(3, 4)]),
        Case(lambda x: tf.reduce_sum(x), [rnd(3, 4)]),
        Case(lambda x: tf.reduce_sum(x, [0, 2], keepdims=True), [rnd(2, 3, 2)]),
        Case(lambda x: tf.reduce_sum(x, tf.placeholder_with_default(np.int32(1), [])), [rnd(3, 4)]),
    ],
    "Mean": [
        Case(lambda x: tf.reduce_mean(x, -1), [rnd(3, 4)]),
        Case(
            lambda x: tf.reduce_mean(x, tf.placeholder_with_default(np.int32(0), [])), [rnd(3, 4)]
        ),
    ],
    "Prod": [
        Case(lambda x: tf.reduce_prod(x, 1), [pos(3, 4)]),
        Case(lambda x: tf.reduce_prod(x, [0, 1]), [pos(2, 3)]),
    ],
    "Max": [Case(lambda x: tf.reduce_max(x, 0), [distinct(3, 4)])],
    "Min": [Case(lambda x: tf.reduce_min(x, [1], keepdims=True), [distinct(3, 4)])],
    "Cumsum": [
        Case(lambda x: tf.cumsum(x, 1), [rnd(3, 4)]),
        Case(lambda x: tf.cumsum(x, 0, exclusive=True, reverse=True), [rnd(3, 4)]),
    ],
    "Cumprod": [
        Case(lambda x: math_ops.cumprod(x, 1), [pos(3, 4)]),
        Case(lambda x: math_ops.cumprod(x, 0, exclusive=True, reverse=True), [pos(3, 4)]),
    ],
    "Cast": [
        Case(lambda x: tf.cast(x, tf.float32) * 2.0, [rnd(3, 4)], rtol=1e-3, atol=1e-3, eps=1e-2)
    ],
    "UnsortedSegmentSum": [
        Case(lambda x: math_ops.unsorted_segment_sum(x, [0, 2, 0, -1, 1], 3), [rnd(5, 2)])
    ],
    # -- array ops --------------------------------------------------------------------------
    "Identity": [Case(tf.identity, [rnd(3, 4)])],
    "PlaceholderWithDefault": [Case(lambda x: tf.placeholder_with_default(x, [3, 4]), [rnd(3, 4)])],
    "Fill": [Case(lambda v: tf.fill([2, 3], v), [np.array(0.7)])],
    "Reshape": [
        Case(lambda x: tf.reshape(x, [4, 3]), [rnd(3, 4)]),
        Case(lambda x: tf.reshape(x, [-1]), [rnd(2, 3)]),
    ],
    "ExpandDims": [Case(lambda x: tf.expand_dims(x, 1), [rnd(3, 4)])],
    "Squeeze": [Case(lambda x: tf.squeeze(x, [1]), [rnd(3, 1, 4)])],
    "Transpose": [Case(lambda x: tf.transpose(x, [2, 0, 1]), [rnd(2, 3, 4)])],
    "Pack": [Case(lambda a, b: tf.stack([a, b], axis=1), [rnd(3, 4), rnd(3, 4)])],
    "Unpack": [Case(lambda x: tf.unstack(x, axis=1)[1], [rnd(3, 4)])],
    "ConcatV2": [
        Case(lambda a, b: tf.concat([a, b], 1), [rnd(3, 4), rnd(3, 2)]),
        Case(lambda a, b, c: tf.concat([a, b, c], -2), [rnd(1, 2), rnd(3, 2), rnd(2, 2)]),
    ],
    "Split": [Case(lambda x: tf.split(x, 2, axis=1), [rnd(3, 4)])],
    "SplitV": [Case(lambda x: tf.split(x, [1, 3], axis=1), [rnd(3, 4)])],
    "Slice": [Case(lambda x: tf.slice(x, [1, 0], [2, -1]), [rnd(3, 4)])],
    "StridedSlice": [
        Case(lambda x: x[1:, ::2], [rnd(3, 4)]),
        Case(lambda x: x[..., 1, tf.newaxis], [rnd(2, 3, 4)]),
        Case(lambda x: x[::-1, 2], [rnd(3, 4)]),
    ],
    "StridedSliceGrad": [
        Case(
            lambda dy: array_ops.strided_slice_grad([3, 4], [1, 0], [3, 4], [1, 2], dy), [rnd(2, 2)]
        )
    ],
    "ReadVariableOp": [Case(lambda v: v * v + 1.0, [rnd(3, 2)], variables=True, resource=True)],
    "ResourceGather": [
        Case(lambda v: tf.gather(v, [2, 0, 2]) * 2.0, [rnd(3, 2)], variables=True, resource=True)
    ],
    "GatherV2": [
        Case(lambda x: tf.gather(x, [0, 2, 2]), [rnd(3, 4)]),
        Case(lambda x: tf.gather(x, [[1, 0], [2, 1]], axis=1), [rnd(2, 3, 2)]),
        Case(lambda x: tf.gather(x, [[2, 0, 2], [1, 1, 0]], batch_dims=1), [rnd(2, 3, 2)]),
        Case(lambda x: tf.gather(x, [[1, 0], [0, 0]], axis=2, batch_dims=-1), [rnd(2, 3, 2)]),
    ],
    "SparseToDense": [
        Case(lambda v, d: tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], v, d), [rnd(2), rnd()])
    ],
    "GatherNd": [
        Case(lambda x: array_ops.gather_nd(x, [[0, 1], [2, 3], [0, 1]]), [rnd(3, 4)]),
        Case(lambda x: array_ops.gather_nd(x, [[2], [0], [2]]), [rnd(3, 4)]),
    ],
    "ScatterNd": [Case(lambda u: array_ops.scatter_nd([[1], [3], [1]], u, [5, 2]), [rnd(3, 2)])],
    "DynamicStitch": [
        Case(
            lambda a, b: array_ops.dynamic_stitch([[0, 2], [1, 3]], [a, b]), [rnd(2, 3), rnd(2, 3)]
        )
    ],
    "ParallelDynamicStitch": [
        Case(
            lambda a, b: array_ops.parallel_dynamic_stitch([[3, 1], [0, 2]], [a, b]),
            [rnd(2, 3), rnd(2, 3)],
        )
    ],
    "DynamicPartition": [
        Case(lambda x: array_ops.dynamic_partition(x, [1, 0, 1, 1], 2), [rnd(4, 2)])
    ],
    "Tile": [Case(lambda x: tf.tile(x, [2, 3]), [rnd(2, 3)])],
    "Pad": [Case(lambda x: tf.pad(x, [[1, 2], [0, 1]]), [rnd(3, 4)])],
    "PadV2": [Case(lambda x: tf.pad(x, [[1, 0], [2, 1]], constant_values=1.5), [rnd(3, 4)])],
    "MirrorPad": [
        Case(lambda x: tf.pad(x, [[1, 2], [0, 1]], "REFLECT"), [rnd(3, 4)]),
        Case(lambda x: tf.pad(x, [[2, 1], [3, 0]], "SYMMETRIC"), [rnd(3, 4)]),
    ],
    "MirrorPadGrad": [
        Case(
            lambda g: op_output("MirrorPadGrad", None, [g, [[1, 1], [0, 2]]], {"mode": b"REFLECT"}),
            [rnd(5, 6)],
        )
    ],
    "ReverseV2": [Case(lambda x: tf.reverse(x, [0, 1]), [rnd(3, 4)])],
    "ReverseSequence": [
        Case(lambda x: tf.reverse_sequence(x, [3, 1, 0], seq_axis=1, batch_axis=0), [rnd(3, 4)]),
        Case(lambda x: tf.reverse_sequence(x, [2, 4, 3], seq_axis=0, batch_axis=1), [rnd(4, 3)]),
        Case(lambda x: tf.reverse_sequence(x, [1, 3], seq_axis=1, batch_axis=0), [rnd(2, 3, 2)]),
    ],
    "Select": [
        Case(lambda a, b: tf.where([[True, False, True, False]] * 3, a, b), [rnd(3, 4), rnd(3, 4)]),
        Case(lambda a, b: tf.where([True, False, True], a, b), [rnd(3, 4), rnd(3, 4)]),
    ],
    "SelectV2": [
        Case(lambda a, b: tf.where_v2([True, False, True, False], a, b), [rnd(3, 4), rnd(3, 1)])
    ],
    "BroadcastTo": [Case(lambda x: tf.broadcast_to(x, [2, 3, 4]), [rnd(3, 1)])],
    "Diag": [Case(lambda d: op_output("Diag", None, [d]), [rnd(2, 3)])],
    "DiagPart": [Case(lambda x: op_output("DiagPart", None, [x]), [rnd(2, 3, 2, 3)])],
    "MatrixDiagV3": [
        Case(lambda d: linalg_ops.matrix_diag(d), [rnd(2, 3)]),
        Case(lambda d: linalg_ops.matrix_diag(d, num_rows=4, num_cols=3), [rnd(3)]),
    ],
    "MatrixDiagPartV3": [
        Case(lambda x: op_output("MatrixDiagPartV3", None, [x, 0, np.float64(0)]), [rnd(2, 3, 4)])
    ],
    "MatrixSetDiagV3": [Case(linalg_ops.matrix_set_diag, [rnd(2, 3, 4), rnd(2, 3)])],
    "Print": [Case(lambda x: tf.Print(x, [x], message="contract: ", first_n=0), [rnd(3, 4)])],
    "CheckNumerics": [Case(lambda x: tf.check_numerics(x, "contract"), [rnd(3, 4)])],
    "IdentityN": [Case(lambda x, y: tf.identity_n([x * 2.0, y]), [rnd(3, 4), rnd(2)])],
    # -- control flow -------------------------------------------------------------------------
    "Switch": [
        Case(lambda x: _cond(x, True), [rnd(3, 4)]),
        Case(lambda x: _cond(x, False), [rnd(3, 4)]),
        Case(lambda x: _manual_merge(x, True), [rnd(3, 4)]),
        Case(lambda x: _manual_merge(x, False), [rnd(3, 4)]),
    ],
    "Merge": [
        Case(lambda x: _cond(x, True), [rnd(3, 4)]),
        Case(lambda x: _manual_merge(x, False), [rnd(3, 4)]),
    ],
    "RefSwitch": [Case(lambda v: _ref_switch(v, True), [rnd(3, 4)], variables=True)],
    "Enter": [Case(_loop, [rnd(3, 4), rnd(4)], op="Exit")],
    "Exit": [Case(_loop, [rnd(3, 4), rnd(4)])],
    "NextIteration": [Case(_loop, [rnd(3, 4), rnd(4)], op="Exit")],
    "LoopCond": [Case(_loop, [rnd(3, 4), rnd(4)], op="Exit")],
    "RefEnter": [Case(_ref_invariant_loop, [rnd(3, 4)], variables=True, op="Exit")],
    "RefMerge": [
        Case(lambda x: _ref_merge(x, False), [rnd(3, 4)]),
        Case(lambda x: _ref_merge(x, True), [rnd(3, 4)]),
    ],
    # -- nn -----------------------------------------------------------------------------------
    "Relu": [Case(tf.nn.relu, [away(3, 4)])],
    "Relu6": [Case(tf.nn.relu6, [away(3, 4) * 4])],
    "Elu": [Case(tf.nn.elu, [away(3, 4)])],
    "Selu": [Case(tf.nn.selu, [away(3, 4)])],
    "Softplus": [Case(tf.nn.softplus, [rnd(3, 4)])],
    "Softsign": [Case(tf.nn.softsign, [away(3, 4)])],
    "LeakyRelu": [Case(lambda x: tf.nn.leaky_relu(x, 0.3), [away(3, 4)])],
    "ReluGrad": [Case(lambda g, x: op_output("ReluGrad", None, [g, x]), [rnd(3, 4), away(3, 4)])],
    "Relu6Grad": [
        Case(lambda g, x: op_output("Relu6Grad", None, [g, x]), [rnd(3, 4), away(3, 4) * 4])
    ],
    "EluGrad": [Case(lambda g, y: op_output("EluGrad", None, [g, y]), [rnd(3, 4), away(3, 4)])],
    "SeluGrad": [Case(lambda g, y: op_output("SeluGrad", None, [g, y]), [rnd(3, 4), away(3, 4)])],
    "LeakyReluGrad": [
        Case(
            lambda g, x: op_output("LeakyReluGrad", None, [g, x], {"alpha": 0.3}),
            [rnd(3, 4), away(3, 4)],
        )
    ],
    "Softmax": [
        Case(tf.nn.softmax, [rnd(3, 4)]),
        Case(lambda x: tf.nn.softmax(x, axis=0), [rnd(3, 4)]),
    ],
    "LogSoftmax": [Case(tf.nn.log_softmax, [rnd(3, 4)])],
    "SoftmaxCrossEntropyWithLogits": [
        Case(
            lambda x, y: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x),
            [rnd(3, 4), dist(3, 4)],
        ),
        Case(
            lambda x: apply_op("SoftmaxCrossEntropyWithLogits", None, [x, dist(3, 4)])._outputs,
            [rnd(3, 4)],
        ),
    ],
    "SparseSoftmaxCrossEntropyWithLogits": [
        Case(
            lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 0, 3], logits=x),
            [rnd(3, 4)],
        ),
        Case(
            lambda x: (
                apply_op(
                    "SparseSoftmaxCrossEntropyWithLogits", None, [x, np.int64([2, 2, 0])]
                )._outputs
            ),
            [rnd(3, 4)],
        ),
    ],
    # (TF defines CTCLoss's gradient through the op's gradient output, behind a
    # PreventGradient; the case differentiates the loss output only)
    "CTCLoss": [
        Case(
            lambda x: tf.nn.ctc_loss(
                tf.SparseTensor([[0, 0], [0, 1], [1, 0]], tf.constant([1, 1, 0]), [2, 2]), x, [4, 3]
            ),
            [rnd(4, 2, 3)],
            rtol=1e-5,
        ),
        Case(
            lambda x: tf.nn.ctc_loss(
                tf.SparseTensor([[0, 0], [0, 1], [1, 0]], tf.constant([1, 0, 1]), [2, 2]),
                x,
                [3, 4],
                preprocess_collapse_repeated=True,
                ctc_merge_repeated=False,
                time_major=False,
            ),
            [rnd(2, 4, 3)],
            rtol=1e-5,
        ),
    ],
    "L2Loss": [Case(tf.nn.l2_loss, [rnd(3, 4)])],
    "LRN": [
        Case(
            lambda x: tf.nn.lrn(x, depth_radius=1, bias=1.5, alpha=0.3, beta=0.75),
            [f32(rnd(1, 2, 2, 5))],
            **LOOSE32,
        )
    ],
    "FusedBatchNormV3": [
        Case(_fused_bn, [f32(rnd(2, 2, 2, 3)), f32(pos(3)), f32(rnd(3))], **LOOSE32),
        Case(
            lambda x, s, o: _fused_bn(x, s, o, fmt="NCHW"),
            [f32(rnd(2, 3, 2, 2)), f32(pos(3)), f32(rnd(3))],
            **LOOSE32,
        ),
        Case(
            lambda x, s, o: _fused_bn(x, s, o, training=False),
            [f32(rnd(2, 2, 2, 3)), f32(pos(3)), f32(rnd(3))],
            **LOOSE32,
        ),
        Case(
            lambda x, s, o: _fused_bn(x, s, o, training=False, fmt="NCHW"),
            [f32(rnd(2, 3, 2, 2)), f32(pos(3)), f32(rnd(3))],
            **LOOSE32,
        ),
    ],
    "FusedBatchNormGradV3": [
        Case(
            lambda x, s, dy: _fused_bn_grad(x, s, dy),
            [f32(rnd(2, 2, 2, 3)), f32(pos(3)), f32(rnd(2, 2, 2, 3))],
            **LOOSE32,
        ),
        Case(
            lambda x, s, dy: _fused_bn_grad(x, s, dy, fmt="NCHW"),
            [f32(rnd(2, 3, 2, 2)), f32(pos(3)), f32(rnd(2, 3, 2, 2))],
            **LOOSE32,
        ),
        Case(
            lambda x, s, dy: _fused_bn_grad(x, s, dy, training=False),
            [f32(rnd(2, 2, 2, 3)), f32(pos(3)), f32(rnd(2, 2, 2, 3))],
            **LOOSE32,
        ),
    ],
    "Qr": [
        Case(lambda a: linalg_ops.qr(a), [rnd(4, 3)]),
        Case(lambda a: linalg_ops.qr(a), [rnd(2, 3, 3)]),
        Case(lambda a: linalg_ops.qr(a), [rnd(2, 4)]),
        Case(lambda a: linalg_ops.qr(a, full_matrices=True), [rnd(2, 4)]),
    ],
    "MatrixSquareRoot": [
        Case(
            lambda a: linalg_ops.matrix_square_root(
                tf.matmul(a, a, transpose_b=True) + 3.0 * tf.eye(3, dtype=a.dtype)
            ),
            [rnd(3, 3)],
        ),
        Case(
            lambda a: linalg_ops.matrix_square_root(
                tf.matmul(a, a, transpose_b=True) + 3.0 * tf.eye(2, dtype=a.dtype)
            ),
            [rnd(2, 2, 2)],
        ),
    ],
    "Svd": [
        Case(lambda a: linalg_ops.svd(a, compute_uv=False), [rnd(3, 4)]),
        Case(lambda a: linalg_ops.svd(a), [rnd(3, 3)]),
        Case(lambda a: linalg_ops.svd(a), [rnd(2, 4)]),
        Case(lambda a: linalg_ops.svd(a), [rnd(2, 4, 3)]),
        Case(lambda a: linalg_ops.svd(a, full_matrices=True), [rnd(3, 4)]),
    ],
    "MatrixBandPart": [
        Case(lambda a: linalg_ops.matrix_band_part(a, 1, 0), [rnd(3, 4)]),
        Case(lambda a: linalg_ops.matrix_band_part(a, -1, 1), [rnd(2, 3, 3)]),
    ],
    "MatrixTriangularSolve": [
        Case(lambda a, b: linalg_ops.matrix_triangular_solve(a, b), [_tri(3), rnd(3, 2)]),
        Case(
            lambda a, b: linalg_ops.matrix_triangular_solve(a, b, lower=False, adjoint=True),
            [_tri(3).T.copy(), rnd(2, 3, 2)],
        ),
    ],
    "MatrixDeterminant": [
        Case(tf.matrix_determinant, [_spd(3)]),
        Case(tf.matrix_determinant, [rnd(2, 3, 3)]),
    ],
    "LogMatrixDeterminant": [Case(lambda a: tf.linalg.slogdet(a)[1], [_spd(3)])],
    "MatrixInverse": [
        Case(tf.matrix_inverse, [_spd(3)]),
        Case(lambda a: tf.matrix_inverse(a, adjoint=True), [_tri(3)]),
    ],
    "MatrixSolve": [
        Case(tf.matrix_solve, [_tri(3), rnd(3, 2)]),
        Case(lambda a, b: tf.matrix_solve(a, b, adjoint=True), [_tri(3), rnd(3, 2)]),
    ],
    "Cholesky": [Case(lambda a: tf.cholesky(_sym(a)), [_spd(3)])],
    "BandedTriangularSolve": [
        Case(lambda a, b: linalg_more_ops.banded_triangular_solve(a, b), [pos(2, 3), rnd(3, 2)]),
        Case(
            lambda a, b: linalg_more_ops.banded_triangular_solve(a, b, lower=False, adjoint=True),
            [pos(2, 2, 3), rnd(3, 2)],
        ),
    ],
    "IsotonicRegression": [
        Case(
            lambda x: isotonic_ops.isotonic_regression(x)[0] * [1.0, 2.0, 3.0, 4.0],
            [distinct(2, 4)],
        ),
    ],
    "Eig": [
        Case(
            lambda a: [
                tf.math.real(linalg_more_ops.eig(a)[0]),
                tf.abs(linalg_more_ops.eig(a)[1]),
            ],
            [_EIG_A],
        ),
        Case(lambda a: tf.math.real(linalg_more_ops.eigvals(a)), [_EIG_A]),
    ],
    "SelfAdjointEigV2": [
        Case(
            lambda a: [tf.self_adjoint_eig(_sym(a))[0], tf.square(tf.self_adjoint_eig(_sym(a))[1])],
            [_spd(3)],
        ),
        Case(lambda a: tf.self_adjoint_eigvals(_sym(a)), [_spd(3)]),
    ],
    "SegmentSum": [Case(lambda d: tf.segment_sum(d, [0, 0, 2, 3]), [rnd(4, 2)])],
    "SegmentMean": [Case(lambda d: tf.segment_mean(d, [0, 0, 2, 3]), [rnd(4, 2)])],
    "SegmentMax": [Case(lambda d: tf.segment_max(d, [0, 0, 2, 3]), [distinct(4, 2)])],
    "SegmentMin": [Case(lambda d: tf.segment_min(d, [0, 0, 2, 3]), [distinct(4, 2)])],
    "SegmentProd": [Case(lambda d: tf.segment_prod(d, [0, 0, 2, 3]), [away(4, 2)])],
    "UnsortedSegmentMax": [
        Case(lambda d: tf.unsorted_segment_max(d, [2, 0, -1, 1, 2], 3), [distinct(5, 2)])
    ],
    "UnsortedSegmentMin": [
        Case(lambda d: tf.unsorted_segment_min(d, [2, 0, -1, 1, 2], 3), [distinct(5, 2)])
    ],
    "UnsortedSegmentProd": [
        Case(lambda d: tf.unsorted_segment_prod(d, [2, 0, -1, 2], 4), [away(4, 2)])
    ],
    "Roll": [Case(lambda x: tf.roll(x, [1, -2], [0, 1]), [rnd(3, 4)])],
    "EnsureShape": [Case(lambda x: tf.ensure_shape(x, [3, None]), [rnd(3, 4)])],
    "Cross": [_binary(tf.cross, (2, 3), (2, 3))],
    "TensorScatterUpdate": [
        Case(lambda t, u: tf.tensor_scatter_nd_update(t, [[1], [3]], u), [rnd(4, 2), rnd(2, 2)])
    ],
    "TensorScatterAdd": [
        Case(lambda t, u: tf.tensor_scatter_nd_add(t, [[1], [1]], u), [rnd(4, 2), rnd(2, 2)])
    ],
    "TensorScatterSub": [
        Case(lambda t, u: tf.tensor_scatter_nd_sub(t, [[0, 1]], u), [rnd(4, 2), rnd(1)])
    ],
    "TensorScatterMin": [
        Case(lambda t, u: tf.tensor_scatter_nd_min(t, [[1], [3]], u), [distinct(4, 2), rnd(2, 2)])
    ],
    "TensorScatterMax": [
        Case(lambda t, u: tf.tensor_scatter_nd_max(t, [[1], [3]], u), [distinct(4, 2), rnd(2, 2)])
    ],
    "SpaceToDepth": [Case(lambda x: tf.space_to_depth(x, 2), [rnd(1, 4, 2, 3)])],
    "DepthToSpace": [Case(lambda x: tf.depth_to_space(x, 2), [rnd(1, 2, 1, 8)])],
    "Angle": [Case(lambda a, b: tf.angle(math_ops.complex(a, b)), [away(3, 4), away(3, 4)])],
    "TopKV2": [Case(lambda x: tf.nn.top_k(x, 2).values, [distinct(3, 4)])],
    "ApproxTopK": [  # (float32 only)
        Case(
            lambda x: tf.math.approx_max_k(x, 2)[0],
            [f32(distinct(3, 4))],
            rtol=1e-3,
            atol=1e-3,
            eps=1e-2,
        )
    ],
    # -- conv family --------------------------------------------------------------------------
    "Conv2D": [
        Case(lambda x, f: tf.nn.conv2d(x, f, 1, "SAME"), [rnd(2, 4, 4, 2), rnd(3, 3, 2, 3)]),
        Case(
            lambda x, f: tf.nn.conv2d(x, f, [1, 2, 1, 1], "VALID"),
            [rnd(1, 5, 4, 2), rnd(2, 2, 2, 2)],
        ),
        Case(
            lambda x, f: _raw(
                "Conv2D", [x, f], strides=[1, 1, 2, 1], dilations=[1, 1, 1, 2], **_NCHW_EXPLICIT
            ),
            [rnd(1, 2, 4, 5), rnd(2, 2, 2, 2)],
        ),
        Case(
            lambda x, f: tf.nn.conv2d(x, f, 2, "SAME", dilations=1),
            [rnd(1, 5, 5, 4), rnd(3, 2, 2, 4)],
        ),  # groups
    ],
    "Conv2DBackpropInput": [
        Case(
            lambda f, dy: tf.nn.conv2d_backprop_input([1, 5, 5, 2], f, dy, [1, 2, 2, 1], "SAME"),
            [rnd(3, 3, 2, 3), rnd(1, 3, 3, 3)],
        ),
        Case(
            lambda f, x: tf.nn.conv2d_transpose(x, f, [1, 2, 6, 5], 2, "VALID", data_format="NCHW"),
            [rnd(2, 2, 2, 3), rnd(1, 3, 3, 2)],
        ),
        Case(
            lambda f, dy: _raw(
                "Conv2DBackpropInput",
                [[1, 4, 5, 2], f, dy],
                dilations=[1, 2, 1, 1],
                **_NHWC_EXPLICIT,
            ),
            [rnd(2, 2, 2, 2), rnd(1, 5, 5, 2)],
        ),
        Case(
            lambda f, dy: _raw("Conv2DBackpropInput", [[4, 4], f, dy], strides=[1, 2, 2, 1]),
            [rnd(2, 2, 1, 4), rnd(1, 2, 2, 4)],
        ),  # groups, 2 input sizes
    ],
    "Conv2DBackpropFilter": [
        Case(
            lambda x, dy: tf.nn.conv2d_backprop_filter(x, [3, 3, 2, 3], dy, [1, 2, 2, 1], "SAME"),
            [rnd(1, 5, 5, 2), rnd(1, 3, 3, 3)],
        ),
        Case(
            lambda x, dy: _raw(
                "Conv2DBackpropFilter",
                [x, [2, 2, 2, 2], dy],
                strides=[1, 1, 1, 2],
                dilations=[1, 1, 2, 1],
                **_NCHW_EXPLICIT,
            ),
            [rnd(1, 2, 4, 5), rnd(1, 2, 3, 4)],
        ),
        Case(
            lambda x, dy: _raw("Conv2DBackpropFilter", [x, [2, 2, 1, 4], dy], padding="VALID"),
            [rnd(1, 3, 3, 2), rnd(1, 2, 2, 4)],
        ),  # groups
    ],
    "DepthwiseConv2dNative": [
        Case(
            lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME"),
            [rnd(2, 4, 4, 2), rnd(3, 3, 2, 2)],
        ),
        Case(
            lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 2, 2, 1], "VALID"),
            [rnd(1, 5, 5, 3), rnd(2, 2, 3, 1)],
        ),
        Case(
            lambda x, f: _raw(
                "DepthwiseConv2dNative", [x, f], dilations=[1, 1, 2, 1], **_NCHW_EXPLICIT
            ),
            [rnd(1, 2, 4, 4), rnd(2, 2, 2, 2)],
        ),
    ],
    "DepthwiseConv2dNativeBackpropInput": [
        Case(
            lambda f, dy: tf.nn.depthwise_conv2d_native_backprop_input(
                [1, 5, 5, 2], f, dy, [1, 2, 2, 1], "SAME"
            ),
            [rnd(3, 3, 2, 2), rnd(1, 3, 3, 4)],
        ),
        Case(
            lambda f, dy: _raw(
                "DepthwiseConv2dNativeBackpropInput",
                [[1, 2, 4, 4], f, dy],
                dilations=[1, 1, 2, 1],
                **_NCHW_EXPLICIT,
            ),
            [rnd(2, 2, 2, 1), rnd(1, 2, 3, 6)],
        ),
    ],
    "DepthwiseConv2dNativeBackpropFilter": [
        Case(
            lambda x, dy: tf.nn.depthwise_conv2d_native_backprop_filter(
                x, [3, 3, 2, 2], dy, [1, 2, 2, 1], "SAME"
            ),
            [rnd(1, 5, 5, 2), rnd(1, 3, 3, 4)],
        ),
        Case(
            lambda x, dy: _raw(
                "DepthwiseConv2dNativeBackpropFilter",
                [x, [2, 2, 2, 1], dy],
                dilations=[1, 1, 2, 1],
                **_NCHW_EXPLICIT,
            ),
            [rnd(1, 2, 4, 4), rnd(1, 2, 3, 6)],
        ),
    ],
    "MaxPool": [
        Case(lambda x: tf.nn.max_pool(x, 3, 2, "SAME"), [distinct(2, 5, 5, 2)]),
        Case(
            lambda x: tf.nn.max_pool(x, [1, 1, 2, 2], [1, 1, 2, 1], "VALID", data_format="NCHW"),
            [distinct(1, 2, 4, 5)],
        ),
        Case(
            lambda x: tf.nn.max_pool(x, 2, 2, [[0, 0], [1, 0], [0, 1], [0, 0]]),
            [distinct(1, 3, 3, 2)],
        ),
    ],
    "MaxPoolGrad": [
        Case(
            lambda x, dy: _max_pool_grad(
                x, dy, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"
            ),
            [distinct(1, 5, 5, 2), rnd(1, 3, 3, 2)],
        ),
        Case(
            lambda x, dy: _max_pool_grad(
                x, dy, ksize=[1, 1, 2, 2], strides=[1, 1, 1, 2], fmt="NCHW"
            ),
            [distinct(1, 2, 4, 4), rnd(1, 2, 3, 2)],
        ),
    ],
    "MaxPoolGradGrad": [
        Case(
            lambda x, g: _max_pool_grad(
                x, g, "MaxPoolGradGrad", ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"
            ),
            [distinct(1, 5, 5, 2), rnd(1, 5, 5, 2)],
        ),
        Case(
            lambda x, g: _max_pool_grad(
                x, g, "MaxPoolGradGrad", ksize=[1, 1, 2, 2], strides=[1, 1, 1, 2], fmt="NCHW"
            ),
            [distinct(1, 2, 4, 4), rnd(1, 2, 4, 4)],
        ),
    ],
    "Conv3D": [
        Case(
            lambda x, f: tf.nn.conv3d(x, f, [1, 1, 2, 1, 1], "SAME"),
            [rnd(1, 3, 4, 3, 2), rnd(2, 2, 2, 2, 3)],
        ),
        Case(
            lambda x, f: tf.nn.conv3d(x, f, [1, 1, 1, 2, 1], "VALID", data_format="NCDHW"),
            [rnd(1, 2, 3, 4, 4), rnd(2, 1, 2, 2, 2)],
        ),
    ],
    "Conv3DBackpropInputV2": [
        Case(
            lambda f, dy: tf.nn.conv3d_transpose(dy, f, [1, 3, 4, 3, 2], [1, 1, 2, 1, 1]),
            [rnd(2, 2, 2, 2, 3), rnd(1, 3, 2, 3, 3)],
        ),
    ],
    "Conv3DBackpropFilterV2": [
        Case(
            lambda x, dy: tf.nn.conv3d_backprop_filter_v2(
                x, [2, 2, 2, 2, 3], dy, [1, 2, 1, 1, 1], "VALID"
            ),
            [rnd(1, 4, 3, 3, 2), rnd(1, 2, 2, 2, 3)],
        ),
    ],
    "MaxPool3D": [
        Case(
            lambda x: tf.nn.max_pool3d(x, 2, 2, "SAME"), [f32(distinct(1, 3, 4, 3, 2))], **LOOSE32
        ),
        Case(
            lambda x: tf.nn.max_pool3d(x, [1, 1, 2, 2, 2], 1, "VALID", data_format="NCDHW"),
            [f32(distinct(1, 2, 3, 3, 3))],
            **LOOSE32,
        ),
    ],
    "MaxPool3DGrad": [
        Case(
            lambda x, dy: _max_pool3d_grad(x, dy, "MaxPool3DGrad"),
            [f32(distinct(1, 3, 4, 3, 2)), f32(rnd(1, 2, 2, 2, 2))],
            **LOOSE32,
        ),
    ],
    "MaxPool3DGradGrad": [
        Case(
            lambda x, g: _max_pool3d_grad(x, g, "MaxPool3DGradGrad"),
            [f32(distinct(1, 3, 4, 3, 2)), f32(rnd(1, 3, 4, 3, 2))],
            **LOOSE32,
        ),
    ],
    "AvgPool3D": [
        Case(lambda x: tf.nn.avg_pool3d(x, 2, 2, "SAME"), [rnd(1, 3, 4, 3, 2)]),
        Case(
            lambda x: tf.nn.avg_pool3d(x, [1, 1, 2, 2, 1], 1, "VALID", data_format="NCDHW"),
            [rnd(1, 2, 3, 3, 3)],
        ),
    ],
    "AvgPool3DGrad": [
        Case(
            lambda dy: op_output(
                "AvgPool3DGrad",
                None,
                [[1, 3, 4, 3, 2], dy],
                _pool_attrs([1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "SAME", "NDHWC"),
            ),
            [rnd(1, 2, 2, 2, 2)],
        ),
    ],
    "MaxPoolWithArgmax": [
        Case(
            lambda x: tf.nn.max_pool_with_argmax(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")[0],
            [distinct(2, 5, 5, 2)],
        ),
        Case(
            lambda x: tf.nn.max_pool_with_argmax(
                x, [1, 2, 2, 1], [1, 1, 2, 1], "VALID", include_batch_in_index=True
            ),
            [distinct(2, 3, 4, 2)],
        ),
    ],
    "AvgPool": [
        Case(lambda x: tf.nn.avg_pool(x, 3, 2, "SAME"), [rnd(2, 5, 5, 2)]),
        Case(
            lambda x: tf.nn.avg_pool(x, [1, 1, 2, 3], [1, 1, 1, 2], "VALID", data_format="NCHW"),
            [rnd(1, 2, 3, 5)],
        ),
    ],
    "AvgPoolGrad": [
        Case(
            lambda dy: op_output(
                "AvgPoolGrad",
                None,
                [[1, 5, 5, 2], dy],
                _pool_attrs([1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
            ),
            [rnd(1, 3, 3, 2)],
        ),
        Case(
            lambda dy: op_output(
                "AvgPoolGrad",
                None,
                [[1, 2, 3, 5], dy],
                _pool_attrs([1, 1, 2, 3], [1, 1, 1, 2], fmt="NCHW"),
            ),
            [rnd(1, 2, 2, 2)],
        ),
    ],
    "BiasAdd": [
        Case(tf.nn.bias_add, [rnd(3, 4), rnd(4)]),
        Case(tf.nn.bias_add, [rnd(2, 3, 2, 4), rnd(4)]),
        Case(lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"), [rnd(2, 3, 2, 2), rnd(3)]),
    ],
    "BiasAddGrad": [
        Case(lambda dy: op_output("BiasAddGrad", None, [dy]), [rnd(2, 3, 4)]),
        Case(
            lambda dy: op_output("BiasAddGrad", None, [dy], {"data_format": b"NCHW"}),
            [rnd(2, 3, 2, 2)],
        ),
    ],
}


def _sp(indices, values, shape):
    return tf.SparseTensor(indices, values, shape)


_IDX3 = [[0, 1], [2, 0], [2, 2]]
_IDX_3D = [[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0]]
_W = np.asarray([0.3 - 1.1j, 0.7 + 0.2j, -0.5 + 0.9j, 1.2 + 0.4j])


def _fft_case(fn, shape):
    """real(fft(a + ib) * w): every output element weighted, a real result."""
    w = np.resize(_W, shape)
    return Case(
        lambda a, b: math_ops.real(fn(math_ops.complex(a, b)) * w), [rnd(*shape), rnd(*shape)]
    )


def _rfft_case(fn, shape, fft_length=None):
    """real(rfft(x) * w): every output bin weighted, a real result."""

    def f(x):
        y = fn(x, fft_length)
        return math_ops.real(y * np.resize(_W, y.shape.as_list()).astype(np.complex64))

    return Case(f, [rnd(*shape)])


def _irfft_case(fn, shape, fft_length=None):
    """irfft(a + ib) * w."""

    def f(a, b):
        y = fn(math_ops.complex(a, b), fft_length)
        return y * np.resize(_W.real, y.shape.as_list()).astype(np.float32)

    return Case(f, [rnd(*shape), rnd(*shape)])


# Sparse ops (tfgraph/ops/sparse_ops.py): the values (and dense operands) are the inputs.
CASES.update(
    {
        "SparseTensorDenseMatMul": [
            Case(
                lambda v, b: tf.sparse_tensor_dense_matmul(_sp(_IDX3, v, [3, 3]), b),
                [rnd(3), rnd(3, 2)],
            ),
            Case(
                lambda v, b: tf.sparse_tensor_dense_matmul(
                    _sp(_IDX3, v, [3, 4]), b, adjoint_a=True, adjoint_b=True
                ),
                [rnd(3), rnd(2, 3)],
            ),
        ],
        "SparseAdd": [
            Case(
                lambda a, b: (
                    tf.sparse_add(_sp(_IDX3, a, [3, 3]), _sp([[0, 1], [1, 1]], b, [3, 3])).values
                ),
                [rnd(3), rnd(2)],
            )
        ],
        "SparseTensorDenseAdd": [
            Case(
                lambda v, d: tf.sparse_add(d, _sp([[0, 1], [2, 0]], v, [3, 2])), [rnd(2), rnd(3, 2)]
            )
        ],
        "Dilation2D": [
            Case(
                lambda x, f: tf.nn.dilation2d(x, f, [1, 1, 1, 1], [1, 1, 1, 1], "SAME"),
                [rnd(1, 4, 3, 2), rnd(2, 2, 2)],
            ),
            Case(
                lambda x, f: tf.nn.dilation2d(x, f, [1, 2, 1, 1], [1, 1, 2, 1], "VALID"),
                [rnd(2, 5, 5, 1), rnd(2, 2, 1)],
            ),
        ],
        "SparseDenseCwiseMul": [
            Case(lambda v, d: (_sp([[0, 1], [2, 0]], v, [3, 2]) * d).values, [rnd(2), rnd(3, 2)]),
            Case(lambda v, d: (_sp([[0, 1], [2, 0]], v, [3, 2]) * d).values, [rnd(2), rnd(2)]),
        ],
        "SparseDenseCwiseDiv": [
            Case(
                lambda v, d: (_sp([[0, 1], [2, 0]], v, [3, 2]) / (d * d + 1.0)).values,
                [rnd(2), rnd(1, 2)],
            )
        ],
        "SparseReorder": [
            Case(
                lambda v: tf.sparse_reorder(_sp([[2, 0], [0, 1], [1, 1]], v, [3, 2])).values,
                [rnd(3)],
            )
        ],
        "SparseSlice": [
            Case(
                lambda v: tf.sparse_slice(_sp(_IDX_3D, v, [2, 3, 2]), [0, 1, 0], [2, 2, 2]).values,
                [rnd(4)],
            )
        ],
        "RaggedFillEmptyRows": [
            Case(
                lambda v, d: tf.ragged_fill_empty_rows(
                    tf.constant([1, 1, 3], tf.int64), v, tf.constant(5, tf.int64), d
                )[1],
                [rnd(3), np.asarray(0.3)],
            )
        ],
        "SparseFillEmptyRows": [
            Case(
                lambda v, d: (
                    tf.sparse_fill_empty_rows(_sp([[1, 0], [3, 1]], v, [5, 2]), d)[0].values
                ),
                [rnd(2), np.asarray(0.3)],
            )
        ],
        "SparseReduceSum": [
            Case(lambda v: tf.sparse_reduce_sum(_sp(_IDX_3D, v, [2, 3, 2]), 1), [rnd(4)]),
            Case(
                lambda v: tf.sparse_reduce_sum(_sp(_IDX_3D, v, [2, 3, 2]), [0, 2], keepdims=True),
                [rnd(4)],
            ),
        ],
        "SparseSoftmax": [
            Case(lambda v: tf.sparse_softmax(_sp(_IDX_3D, v, [2, 3, 2])).values, [rnd(4)]),
            Case(
                lambda v: tf.sparse_softmax(_sp([[0, 0], [0, 2], [1, 1]], v, [2, 3])).values,
                [rnd(3)],
            ),
        ],
        "SparseMatMul": [
            Case(
                lambda a, b: tf.sparse_matmul(a, b, transpose_b=True, a_is_sparse=True),
                [f32(rnd(3, 4)), f32(rnd(2, 4))],
                **LOOSE32,
            ),
            Case(
                lambda a, b: tf.sparse_matmul(a, b, transpose_a=True),
                [f32(rnd(4, 3)), f32(rnd(4, 2))],
                **LOOSE32,
            ),
        ],
        "ClipByValue": [
            Case(
                lambda x, lo, hi: op_output("ClipByValue", None, [x, lo, hi]),
                [distinct(3, 4), np.asarray(-0.5), np.asarray(0.6)],
            )
        ],
        "SpaceToBatchND": [
            Case(lambda x: tf.space_to_batch_nd(x, [2, 2], [[0, 0], [1, 1]]), [rnd(1, 4, 2, 2)])
        ],
        "BatchToSpaceND": [
            Case(lambda x: tf.batch_to_space_nd(x, [2, 2], [[0, 1], [1, 0]]), [rnd(4, 2, 2, 1)])
        ],
        "ExtractVolumePatches": [
            Case(
                lambda x: tf.extract_volume_patches(x, [1, 2, 2, 2, 1], [1, 2, 1, 2, 1], "SAME"),
                [rnd(2, 3, 3, 4, 2)],
            ),
            Case(
                lambda x: tf.extract_volume_patches(x, [1, 1, 2, 3, 1], [1, 1, 2, 1, 1], "VALID"),
                [rnd(1, 2, 4, 3, 1)],
            ),
        ],
        "ExtractImagePatches": [
            Case(
                lambda x: tf.extract_image_patches(
                    x, [1, 2, 2, 1], [1, 2, 1, 1], [1, 1, 1, 1], "SAME"
                ),
                [rnd(2, 4, 3, 2)],
            ),
            Case(
                lambda x: tf.image.extract_patches(
                    x, [1, 2, 3, 1], [1, 1, 2, 1], [1, 2, 1, 1], "VALID"
                ),
                [rnd(1, 5, 6, 2)],
            ),
        ],
        "ResizeBilinear": [
            Case(lambda x: tf.image.resize_bilinear(x, [5, 3]), [f32(rnd(1, 3, 4, 2))], **LOOSE32),
            Case(
                lambda x: tf.image.resize_bilinear(x, [2, 7], half_pixel_centers=True),
                [f32(rnd(2, 4, 3, 1))],
                **LOOSE32,
            ),
        ],
        "RGBToHSV": [
            # (distinct channels in (0.1, 1): away from the max/min ties where it has kinks)
            Case(
                tf.image.rgb_to_hsv,
                [np.array([0.9, 0.5, 0.2, 0.3, 0.8, 0.4, 0.2, 0.35, 0.7]).reshape(3, 3)],
                rtol=1e-5,
                atol=1e-7,
            )
        ],
        "CropAndResize": [
            Case(
                lambda x, b: tf.image.crop_and_resize(x, b, [0, 1, 0], [3, 4]),
                [
                    f32(rnd(2, 4, 5, 2)),
                    f32(
                        [[0.11, 0.07, 0.83, 0.91], [0.32, 0.9, 0.05, 0.21], [0.4, 0.45, 0.4, 0.63]]
                    ),
                ],
                rtol=2e-2,
                atol=2e-3,
                eps=1e-3,
            ),
            Case(
                lambda x: tf.image.crop_and_resize(
                    x, [[0.1, 0.2, 0.7, 0.9], [-0.3, 0.1, 0.8, 0.7]], [1, 0], [4, 3], "nearest"
                ),
                [f32(rnd(2, 5, 4, 3))],
                **LOOSE32,
            ),
        ],
        "ResizeBicubic": [
            Case(lambda x: tf.image.resize_bicubic(x, [5, 3]), [f32(rnd(1, 3, 4, 2))], **LOOSE32),
            Case(
                lambda x: tf.image.resize_bicubic(x, [2, 7], half_pixel_centers=True),
                [f32(rnd(2, 4, 3, 1))],
                **LOOSE32,
            ),
        ],
        "ResizeNearestNeighbor": [
            Case(lambda x: tf.image.resize_nearest_neighbor(x, [5, 7]), [rnd(1, 3, 4, 2)]),
            Case(
                lambda x: tf.image.resize_nearest_neighbor(x, [2, 3], align_corners=True),
                [rnd(2, 4, 5, 1)],
            ),
        ],
        "FFT": [_fft_case(tf.fft, (4,)), _fft_case(tf.fft, (2, 4))],
        "IFFT": [_fft_case(tf.ifft, (4,)), _fft_case(tf.ifft, (3, 4))],
        "FFT2D": [_fft_case(tf.fft2d, (2, 4)), _fft_case(tf.fft2d, (2, 3, 4))],
        "IFFT2D": [_fft_case(tf.ifft2d, (2, 4))],
        "FFT3D": [_fft_case(tf.fft3d, (2, 2, 4))],
        "IFFT3D": [_fft_case(tf.ifft3d, (2, 3, 4))],
        "RFFT": [_rfft_case(tf.signal.rfft, (2, 5)), _rfft_case(tf.signal.rfft, (6,), [9])],
        "RFFT2D": [_rfft_case(tf.signal.rfft2d, (3, 4)), _rfft_case(tf.signal.rfft2d, (2, 3, 5))],
        "IRFFT": [_irfft_case(tf.signal.irfft, (2, 4)), _irfft_case(tf.signal.irfft, (5,), [9])],
        "IRFFT2D": [_irfft_case(tf.signal.irfft2d, (3, 4)), _irfft_case(tf.signal.irfft2d, (2, 3))],
    }
)
for _kind, _fn in (
    ("Sum", tf.sparse_segment_sum),
    ("Mean", tf.sparse_segment_mean),
    ("SqrtN", tf.sparse_segment_sqrt_n),
):
    CASES[f"SparseSegment{_kind}"] = [
        Case(lambda d, fn=_fn: fn(d, [0, 2, 2, 3], [0, 0, 1, 3]), [rnd(4, 2)]),
        Case(lambda d, fn=_fn: fn(d, [1, 3], [0, 2]), [rnd(4, 2)]),
    ]
    CASES[f"SparseSegment{_kind}WithNumSegments"] = [
        Case(lambda d, fn=_fn: fn(d, [3, 0, 0], [1, 1, 2], num_segments=5), [rnd(4, 3)])
    ]

# TF registers gradients for these that raise NotImplementedError; so do tfgraph's.
GRADIENT_RAISES_IN_TF: dict[str, Callable] = {
    "SparseDenseCwiseAdd": lambda v: op_output(
        "SparseDenseCwiseAdd", None, [_IDX3, v, [3, 4], np.ones(4)]
    ),
    "SparseSparseMaximum": lambda v: (
        tf.sparse_maximum(_sp(_IDX3, v, [3, 3]), _sp(_IDX3, v * 2.0, [3, 3])).values
    ),
    "SparseSparseMinimum": lambda v: (
        tf.sparse_minimum(_sp(_IDX3, v, [3, 3]), _sp(_IDX3, v * 2.0, [3, 3])).values
    ),
    # (TF: "Gradient not defined for fast=False")
    "MatrixSolveLs": lambda v: tf.matrix_solve_ls(
        tf.reshape(v, [3, 1]), tf.ones([3, 1], tf.float64), fast=False
    ),
}
# (TF: PreventGradient's gradient raises LookupError, "Gradient explicitly disabled")
GRADIENT_RAISES_IN_TF["PreventGradient"] = lambda v: array_ops.prevent_gradient(v, "why")
_RAISES_MATCH = {
    "MatrixSolveLs": "fast=False",
    "PreventGradient": "explicitly disabled. Reason: why",
}
_RAISES_ERROR = {"PreventGradient": LookupError}


@pytest.mark.parametrize("op_type", sorted(GRADIENT_RAISES_IN_TF))
def test_gradients_tf_leaves_unimplemented_raise(op_type):
    with tf.Graph().as_default():
        v = tf.placeholder(tf.float64, [3])
        out = GRADIENT_RAISES_IN_TF[op_type](v)
        assert op_type in {op.type for op in tf.get_default_graph().get_operations()}
        error = _RAISES_ERROR.get(op_type, NotImplementedError)
        with pytest.raises(error, match=_RAISES_MATCH.get(op_type, op_type)):
            tf.gradients(out, v)


def _ta(size, **kwargs):
    return tf.TensorArray(tf.float64, size, **kwargs)


# FakeQuant*: TF's gradient passes the incoming gradient straight through inside
# [min, max] and sums it into min / max outside: the derivative of clip(x, min, max).
# The cases add stop_gradient(clip - fake_quant) so the numerical gradient is clip's
# (min, max chosen so that TF's nudged range is exactly [min, max]).
def _fq_ste(y, x, lo, hi):
    return y + tf.stop_gradient(tf.clip_by_value(x, lo, hi) - y)


_FQ_X = f32([[-1.7, -0.4, 0.3], [1.2, 2.6, -1.3], [0.9, 1.96, 3.1], [-2.2, 0.05, 1.1]])

CASES.update(
    {
        "CheckNumericsV2": [
            Case(
                lambda x: op_output("CheckNumericsV2", None, [x], {"message": b"m"}),
                [rnd(2, 3)],
            )
        ],
        "FractionalMaxPool": [
            Case(
                lambda x: tf.nn.fractional_max_pool(
                    x, [1, 1.44, 1.73, 1], deterministic=True, seed=1, seed2=2
                )[0],
                [distinct(2, 5, 5, 2)],
            ),
            Case(
                lambda x: tf.nn.fractional_max_pool(
                    x, [1, 1.5, 1.3, 1], True, True, deterministic=True, seed=3, seed2=4
                )[0],
                [distinct(1, 6, 5, 2)],
            ),
        ],
        "FractionalAvgPool": [
            Case(
                lambda x: tf.nn.fractional_avg_pool(
                    x, [1, 1.44, 1.73, 1], deterministic=True, seed=1, seed2=2
                )[0],
                [rnd(2, 5, 5, 2)],
            ),
            Case(
                lambda x: tf.nn.fractional_avg_pool(
                    x, [1, 1.5, 1.3, 1], True, True, deterministic=True, seed=3, seed2=4
                )[0],
                [rnd(1, 6, 5, 2)],
            ),
        ],
    }
)
CASES.update(
    {
        "FakeQuantWithMinMaxArgs": [
            Case(
                lambda x: _fq_ste(tf.fake_quant_with_min_max_args(x, -1.0, 2.0), x, -1.0, 2.0),
                [_FQ_X],
                **LOOSE32,
            )
        ],
        "FakeQuantWithMinMaxVars": [
            Case(
                lambda x, lo, hi: _fq_ste(tf.fake_quant_with_min_max_vars(x, lo, hi), x, lo, hi),
                [_FQ_X, f32(-1.0), f32(2.0)],
                **LOOSE32,
            )
        ],
        "FakeQuantWithMinMaxVarsPerChannel": [
            Case(
                lambda x, lo, hi: _fq_ste(
                    tf.fake_quant_with_min_max_vars_per_channel(x, lo, hi, num_bits=4),
                    x,
                    lo,
                    hi,
                ),
                # 4 bits: 15 steps; nudged exactly: [-1, 2] (zero point 5), [-3, 0], [0, 1.5]
                [_FQ_X, f32([-1.0, -3.0, 0.0]), f32([2.0, 0.0, 1.5])],
                **LOOSE32,
            )
        ],
    }
)


# QuantizeAndDequantize: V2's gradient passes straight through, V4's inside [min, max]
# only; the stop_gradient terms make the numerical gradient identity's / clip's.
CASES.update(
    {
        "QuantizeAndDequantizeV2": [
            Case(
                lambda x: _fq_ste(
                    tf.quantization.quantize_and_dequantize(x, -1.0, 1.0), x, -10.0, 10.0
                ),
                [_FQ_X],
                **LOOSE32,
            )
        ],
        "QuantizeAndDequantizeV4": [
            Case(
                lambda x: _fq_ste(
                    tf.quantization.quantize_and_dequantize_v2(x, -1.0, 2.0), x, -1.0, 2.0
                ),
                [_FQ_X],
                **LOOSE32,
            ),
            Case(
                lambda x: _fq_ste(
                    tf.quantization.quantize_and_dequantize_v2(
                        x, [-1.0, -2.0, 0.0], [1.0, 0.0, 2.0], axis=1
                    ),
                    x,
                    [-1.0, -2.0, 0.0],
                    [1.0, 0.0, 2.0],
                ),
                [_FQ_X],
                **LOOSE32,
            ),
        ],
    }
)


# TensorArrays (outside loops): each case's gradient runs through the gradient array.
CASES.update(
    {
        "TensorArrayWriteV3": [
            Case(lambda x: _ta(2).write(0, x * 2.0).write(1, tf.sin(x)).stack(), [rnd(3)])
        ],
        "TensorArrayReadV3": [
            Case(lambda x: (lambda ta: [ta.read(0) * ta.read(2)])(_ta(3).unstack(x)), [rnd(3, 2)])
        ],
        "TensorArrayScatterV3": [
            Case(lambda x: _ta(4, element_shape=[2]).scatter([3, 0, 1], x).stack(), [rnd(3, 2)])
        ],
        "TensorArrayGatherV3": [Case(lambda x: _ta(3).unstack(x).gather([2, 0]), [rnd(3, 2)])],
        "TensorArraySplitV3": [
            Case(lambda x: _ta(3, infer_shape=False).split(x, [1, 2, 3]).read(2), [rnd(6)])
        ],
        "TensorArrayConcatV3": [
            Case(lambda x: _ta(3, infer_shape=False).split(x, [1, 2, 3]).concat(), [rnd(6, 2)])
        ],
    }
)


def _tridiag(m):
    d = rnd(2, 3, m)
    d[:, 1] += 4.0  # diagonally dominant: well conditioned
    return d


# Tridiagonal systems (tfgraph/ops/tridiagonal_ops.py).
CASES.update(
    {
        "TridiagonalSolve": [
            Case(lambda d, b: tf.linalg.tridiagonal_solve(d, b), [_tridiag(4), rnd(2, 4, 2)]),
            Case(
                lambda d, b: tf.linalg.tridiagonal_solve(d, b, partial_pivoting=False),
                [_tridiag(3), rnd(2, 3, 1)],
            ),
        ],
        "TridiagonalMatMul": [
            Case(lambda d, b: tf.linalg.tridiagonal_matmul(d, b), [rnd(2, 3, 4), rnd(2, 4, 3)])
        ],
    }
)


# RaggedTensor conversions (tfgraph/ops/ragged_ops.py): values, and default_value.
CASES.update(
    {
        "RaggedTensorToTensor": [
            Case(
                lambda v, d: tf.RaggedTensor.from_row_splits(
                    v, [0, 2, 2, 5], validate=False
                ).to_tensor(default_value=d),
                [rnd(5), rnd()],
            ),
            Case(
                lambda v: tf.RaggedTensor.from_value_rowids(
                    v, [0, 0, 2], nrows=3, validate=False
                ).to_tensor(shape=[3, 1, 2]),
                [rnd(3, 2)],
            ),
        ],
        "RaggedTensorToSparse": [
            Case(
                lambda v: (
                    tf.RaggedTensor.from_nested_row_splits(
                        v, [[0, 1, 3], [0, 2, 2, 4]], validate=False
                    )
                    .to_sparse()
                    .values
                ),
                [rnd(4, 2)],
            )
        ],
    }
)


# Functional control flow: the ops call functions of the graph's library, here traced by
# wrap_function's graph-mode tracer (tfgraph/eager/wrap_function_graph.py).
def _library_function(fn, *specs):
    from tfgraph.eager.wrap_function import _trace
    from tfgraph.eager.wrap_function_graph import trace_graph

    return trace_graph(fn, [tf.TensorSpec(s, tf.float64) for s in specs], "fn", _trace)[0]


def _call(op_type, x, y):
    f = _library_function(lambda a, b: (tf.sin(a) * b, tf.reduce_sum(a * a)), [3], [3])
    return apply_op(
        op_type, None, [[x, y]], {"Tin": [tf.float64] * 2, "Tout": [tf.float64] * 2, "f": f}
    ).outputs


def _if(op_type, pred, x, y):
    then_fn = _library_function(lambda a, b: tf.exp(a) * b, [3], [2, 3])
    else_fn = _library_function(lambda a, b: a * a, [3], [2, 3])  # (b unused)
    return apply_op(
        op_type,
        None,
        [tf.constant(pred), [x, y]],
        {
            "Tcond": tf.bool,
            "Tin": [tf.float64] * 2,
            "Tout": [tf.float64],
            "then_branch": then_fn,
            "else_branch": else_fn,
        },
    ).outputs[0]


def _case(op_type, index, x):
    branches = [
        _library_function(lambda a: a * 3.0, [2]),
        _library_function(lambda a: tf.tanh(a) * a, [2]),
    ]
    return apply_op(
        op_type,
        None,
        [tf.constant(index), [x]],
        {"Tin": [tf.float64], "Tout": [tf.float64], "branches": branches},
    ).outputs[0]


def _while(op_type, x, y):
    """Three iterations of (i, a, p) -> (i + 1, a + sin(p) * y, p * y)."""
    f64, i32 = tf.float64, tf.int32

    def trace(fn, *types):
        from tfgraph.eager.wrap_function import _trace
        from tfgraph.eager.wrap_function_graph import trace_graph

        specs = [tf.TensorSpec(None, t) for t in types]
        return trace_graph(fn, specs, "fn", _trace)[0]

    cond = trace(lambda i, a, p, b: i < 3, i32, f64, f64, f64)
    body = trace(lambda i, a, p, b: (i + 1, a + tf.sin(p) * b, p * b, b), i32, f64, f64, f64)
    inputs = [tf.constant(0), tf.zeros_like(x), x, y]
    outs = apply_op(
        op_type, None, [inputs], {"T": [i32, f64, f64, f64], "cond": cond, "body": body}
    ).outputs
    return outs[1] + outs[2]


CASES.update(
    {
        "PartitionedCall": [Case(lambda x, y: _call("PartitionedCall", x, y), [rnd(3), rnd(3)])],
        "StatefulPartitionedCall": [
            Case(lambda x, y: _call("StatefulPartitionedCall", x, y), [rnd(3), rnd(3)])
        ],
        "If": [
            Case(lambda x, y: _if("If", True, x, y), [rnd(3), rnd(2, 3)]),
            Case(lambda x, y: _if("If", False, x, y), [rnd(3), rnd(2, 3)]),
        ],
        "StatelessIf": [Case(lambda x, y: _if("StatelessIf", True, x, y), [rnd(3), rnd(2, 3)])],
        "Case": [Case(lambda x: _case("Case", 1, x), [rnd(2)])],
        "StatelessCase": [
            Case(lambda x: _case("StatelessCase", 0, x), [rnd(2)]),
            Case(lambda x: _case("StatelessCase", 5, x), [rnd(2)]),  # (out of range: last)
        ],
        "While": [Case(lambda x, y: _while("While", x, y), [rnd(3), unit(3)])],
        "StatelessWhile": [Case(lambda x, y: _while("StatelessWhile", x, y), [rnd(3), unit(3)])],
    }
)


def _lop(op_type: str, *inputs, **attrs):
    """A TensorList op's output(s)."""
    outs = apply_op(op_type, None, list(inputs), attrs).outputs
    return outs[0] if len(outs) == 1 else list(outs)


def _tl(x):
    """A list of x's rows (each of shape [2])."""
    return _lop("TensorListFromTensor", x, tf.constant([2]))


def _tl_stack(lst, dtype=tf.float64):
    return _lop("TensorListStack", lst, tf.constant([2]), element_dtype=dtype)


def _tl_while(x, w):
    """A StatelessWhile writing tanh(h * w) into a reserved list each of 3 iterations (a
    TF2 TensorArray loop)."""
    f64, i32, v = tf.float64, tf.int32, tf.variant

    def trace(fn, *types):
        from tfgraph.eager.wrap_function import _trace
        from tfgraph.eager.wrap_function_graph import trace_graph

        return trace_graph(fn, [tf.TensorSpec(None, t) for t in types], "fn", _trace)[0]

    def body(i, lst, h, w):
        h = tf.tanh(h * w + 0.5)
        return i + 1, _lop("TensorListSetItem", lst, i, h), h, w

    cond = trace(lambda i, lst, h, w: i < 3, i32, v, f64, f64)
    body_fn = trace(body, i32, v, f64, f64)
    reserved = _lop("TensorListReserve", tf.constant([2]), 3, element_dtype=f64)
    outs = apply_op(
        "StatelessWhile",
        None,
        [[tf.constant(0), reserved, x, w]],
        {"T": [i32, v, f64, f64], "cond": cond, "body": body_fn},
    ).outputs
    return [_tl_stack(outs[1]), outs[2]]


def _tl_if(pred: bool, x, y):
    """A StatelessIf whose branches set different items of a list argument."""
    from tfgraph.eager.wrap_function import _trace
    from tfgraph.eager.wrap_function_graph import trace_graph

    def branch(index, fn):
        specs = [tf.TensorSpec(None, tf.variant), tf.TensorSpec([2], tf.float64)]
        traced = trace_graph(
            lambda lst, b: _lop("TensorListSetItem", lst, index, fn(b)), specs, "fn", _trace
        )
        return traced[0]

    out = apply_op(
        "StatelessIf",
        None,
        [tf.constant(pred), [_tl(x), y]],
        {
            "Tcond": tf.bool,
            "Tin": [tf.variant, tf.float64],
            "Tout": [tf.variant],
            "then_branch": branch(1, tf.sin),
            "else_branch": branch(0, tf.square),
        },
    ).outputs[0]
    return _tl_stack(out)


def _tl_pop(x, y):
    lst, last = _lop(
        "TensorListPopBack",
        _lop("TensorListPushBack", _tl(x), tf.square(y)),
        tf.constant([2]),
        element_dtype=tf.float64,
    )
    return [_tl_stack(lst), last * 3.0]


_GET = {"element_dtype": tf.float64}
CASES.update(
    {
        "TensorListFromTensor": [Case(lambda x: _tl_stack(_tl(tf.sin(x))), [rnd(3, 2)])],
        "TensorListStack": [Case(lambda x: tf.square(_tl_stack(_tl(x))), [rnd(3, 2)])],
        "TensorListGetItem": [
            Case(
                lambda x: tf.square(_lop("TensorListGetItem", _tl(x), 1, [2], **_GET)), [rnd(3, 2)]
            )
        ],
        "TensorListSetItem": [
            Case(
                lambda x, y: _tl_stack(_lop("TensorListSetItem", _tl(x), 0, tf.square(y))),
                [rnd(3, 2), rnd(2)],
            ),
            Case(  # (past the end: the list grows, its new elements read as zeros)
                lambda x, y: _tl_stack(
                    _lop(
                        "TensorListSetItem",
                        _tl(x),
                        4,
                        tf.sin(y),
                        resize_if_index_out_of_bounds=True,
                    )
                ),
                [rnd(3, 2), rnd(2)],
            ),
        ],
        "TensorListPushBack": [
            Case(
                lambda x, y: _tl_stack(_lop("TensorListPushBack", _tl(x), tf.sin(y))),
                [rnd(3, 2), rnd(2)],
            )
        ],
        "TensorListPopBack": [Case(_tl_pop, [rnd(3, 2), rnd(2)])],
        "TensorListGather": [
            Case(
                lambda x: tf.square(_lop("TensorListGather", _tl(x), [2, 0], [2], **_GET)),
                [rnd(3, 2)],
            )
        ],
        "TensorListResize": [
            Case(lambda x: _tl_stack(_lop("TensorListResize", _tl(x), 5)), [rnd(3, 2)]),
            Case(lambda x: _tl_stack(_lop("TensorListResize", _tl(x), 2)), [rnd(3, 2)]),
        ],
        "TensorListScatterIntoExistingList": [
            Case(
                lambda x, y: _tl_stack(
                    _lop("TensorListScatterIntoExistingList", _tl(x), tf.sin(y), [2, 0])
                ),
                [rnd(3, 2), rnd(2, 2)],
            )
        ],
    }
)


def _tl_split(x, lengths=(1, 2), element_shape=(-1, 2)):
    return _lop(
        "TensorListSplit", x, tf.constant(list(element_shape)), tf.constant(list(lengths), tf.int64)
    )


def _tl_concat(lst):
    none = tf.constant([], tf.int64)
    return _lop("TensorListConcatV2", lst, tf.constant([-1, 2]), none, **_GET)[0]


CASES.update(
    {
        "TensorListScatter": [
            Case(
                lambda x: _tl_stack(_lop("TensorListScatter", tf.sin(x), [3, 0, 1], [2])),
                [rnd(3, 2)],
            )
        ],
        "TensorListScatterV2": [
            Case(
                lambda x: _tl_stack(_lop("TensorListScatterV2", tf.sin(x), [2, 0, 4], [2], 6)),
                [rnd(3, 2)],
            )
        ],
        "TensorListSplit": [Case(lambda x: _tl_concat(_tl_split(tf.sin(x))), [rnd(3, 2)])],
        "TensorListConcatV2": [
            Case(lambda x: tf.square(_tl_concat(_tl_split(x, (2, 0, 1)))), [rnd(3, 2)])
        ],
        "TensorListConcat": [
            Case(
                lambda x: tf.square(_lop("TensorListConcat", _tl_split(x, (3,), (-1,)), **_GET)[0]),
                [rnd(3)],
            )
        ],
    }
)
NO_GRADIENT_IN_TF["AdjustHsvInYiq"] = "TF registers no gradient for AdjustHsvInYiq"

# ImageProjectiveTransformV2/V3: TF's gradient transforms the incoming gradient by the
# inverted transforms, the exact adjoint only for bijections of the pixel grid (integer
# shifts with CONSTANT fill, flips, quarter turns); bilinear reads pass through float32.
_SHIFT_TURN = f32([[1, 0, -1, 0, 1, 2, 0, 0], [0, -1, 3, 1, 0, 0, 0, 0]])
_FLIP = f32([[-1, 0, 3, 0, 1, 0, 0, 0]])
CASES.update(
    {
        "ImageProjectiveTransformV2": [
            Case(
                lambda x: image_transform_ops.image_projective_transform_v2(
                    x, _SHIFT_TURN, [4, 4], "NEAREST"
                ),
                [rnd(2, 4, 4, 2)],
            ),
            Case(
                lambda x: image_transform_ops.image_projective_transform_v2(
                    x, _FLIP, [4, 4], "BILINEAR", "WRAP"
                ),
                [rnd(2, 4, 4, 1)],
                **LOOSE32,
            ),
        ],
        "ImageProjectiveTransformV3": [
            Case(
                lambda x: image_transform_ops.image_projective_transform_v3(
                    x, _SHIFT_TURN, [4, 4], 0.0, "BILINEAR"
                ),
                [rnd(2, 4, 4, 2)],
                **LOOSE32,
            ),
            Case(
                lambda x: image_transform_ops.image_projective_transform_v3(
                    x, _FLIP, [4, 4], 0.0, "NEAREST", "REFLECT"
                ),
                [rnd(1, 4, 4, 3)],
            ),
        ],
    }
)
CASES["StatelessWhile"].append(Case(_tl_while, [rnd(2), unit(2)]))
CASES["StatelessIf"] += [
    Case(lambda x, y: _tl_if(True, x, y), [rnd(3, 2), rnd(2)]),
    Case(lambda x, y: _tl_if(False, x, y), [rnd(3, 2), rnd(2)]),
]


def _all_cases():
    for op_type, cases in sorted(CASES.items()):
        for i, case in enumerate(cases):
            yield pytest.param(op_type, case, id=f"{op_type}-{i}")


def test_every_differentiable_op_has_a_case():
    """Fails when a registered op is neither NOT_DIFFERENTIABLE, nor known to have no
    gradient, nor checked here: a new differentiable op must add a CASES entry."""
    missing = []
    for name, op_def in sorted(registry.registered_ops().items()):
        if op_def.grad is NOT_DIFFERENTIABLE:
            assert name not in CASES, f"{name} is NOT_DIFFERENTIABLE but has a CASES entry"
            continue
        if name in CHECKED_AGAINST_TF:
            assert op_def.grad is not None, f"{name}: TF differentiates it; so must we"
            continue
        if name in GRADIENT_RAISES_IN_TF:
            assert op_def.grad is not None, f"{name}: TF's gradient raises; so must ours"
            continue
        if name in NO_GRADIENT_IN_TF or name in PENDING:
            assert op_def.grad is None, f"{name} has a gradient now: give it a CASES entry"
            continue
        if op_def.grad is None:
            missing.append(f"{name}: no gradient declared (grad=...) and not NOT_DIFFERENTIABLE")
        elif name not in CASES:
            missing.append(f"{name}: has a gradient but no CASES entry")
    assert not missing, "\n".join(missing)
    assert set(CASES) <= set(registry.registered_ops()), set(CASES) - set(registry.registered_ops())


def _as_dense(g):
    if isinstance(g, tf.IndexedSlices):
        return tf.convert_to_tensor(g)
    return g


def _float(t) -> bool:
    return t.dtype._base in (tf.float16, tf.float32, tf.float64)


def _weights(t, k: int):
    """Fixed pseudo-random weights shaped like `t` (whose shape may be known only at run
    time), so the loss is a generic linear function of every output element."""
    n = tf.cast(tf.range(tf.size(t)), tf.float64)
    return tf.reshape(tf.sin(n * 1.37 + 0.4 + k), tf.shape(t))


def _build(case: Case, g: tf.Graph):
    with g.as_default():
        feeds, xs, assigns = [], [], []
        for i, v in enumerate(case.values):
            v = np.asarray(v)
            dtype = tf.as_dtype(v.dtype)
            if case.variables:
                var = tf.Variable(v, name=f"v{i}", use_resource=case.resource or None)
                ph = tf.placeholder(dtype, v.shape, name=f"assign{i}")
                assign = var.assign(ph, read_value=False) if case.resource else tf.assign(var, ph)
                assigns.append((ph, assign))
                feeds.append(var)
                xs.append(var)
            else:
                ph = tf.placeholder(dtype, v.shape, name=f"x{i}")
                feeds.append(ph)
                xs.append(ph)
        outs = case.build(*feeds)
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        outs = [o for o in outs if _float(o)]
        loss = tf.add_n(
            [tf.reduce_sum(tf.cast(o, tf.float64) * _weights(o, k)) for k, o in enumerate(outs)]
        )
        grads = tf.gradients(loss, xs)
    return xs, assigns, loss, grads


# TF's own shape function declares these outputs one shorter than its kernel makes them
# (the pooling sequences hold out_rows + 1 boundaries; TF says [out_rows]): tfgraph keeps
# TF's static shapes, so they are not compared with the values.
TF_STATIC_SHAPE_QUIRKS = {
    "FractionalMaxPool": (1, 2),
    "FractionalAvgPool": (1, 2),
}


def _check_shapes_and_dtypes(g: tf.Graph, op_type: str, sess, feed) -> None:
    ops = [op for op in g.get_operations() if op.type == op_type]
    assert ops, f"the case does not create a {op_type} op"
    for op in ops:
        for k, t in enumerate(op.outputs):
            if k in TF_STATIC_SHAPE_QUIRKS.get(op_type, ()) or t.dtype._base == tf.variant:
                continue  # (a variant, such as an optional, cannot be fetched, as in TF)
            try:
                v = np.asarray(sess.run(t, feed))
            except (ValueError, tf.errors.InvalidArgumentError) as e:
                if "not fetchable" in str(e) or "does not have value" in str(e):
                    continue  # a cond's internal or untaken (dead) output
                raise
            assert t.shape.is_compatible_with(v.shape), (
                f"{op.name}: static shape {t.shape} but the kernel produced {v.shape}"
            )
            assert v.dtype == t.dtype._base.as_numpy_dtype, (
                f"{op.name}: declared {t.dtype.name} but the kernel produced {v.dtype}"
            )


@pytest.mark.parametrize(("op_type", "case"), list(_all_cases()))
def test_gradient_matches_numerical(op_type, case):
    g = tf.Graph()
    xs, assigns, loss, grads = _build(case, g)
    values = [np.asarray(v) for v in case.values]
    with g.as_default(), tf.Session(graph=g) as sess:
        if case.variables:
            sess.run(tf.global_variables_initializer())

        def load(vals):
            if case.variables:
                sess.run([a for _, a in assigns], {ph: v for (ph, _), v in zip(assigns, vals)})
                return {}
            return dict(zip(xs, vals))

        feed = load(values)
        _check_shapes_and_dtypes(g, case.op or op_type, sess, feed)
        wanted = [(i, _as_dense(gr)) for i, gr in enumerate(grads) if gr is not None]
        symbolic = dict(zip([i for i, _ in wanted], sess.run([gr for _, gr in wanted], feed)))

        for i, v in enumerate(values):
            if v.dtype.kind != "f":
                continue
            numeric = np.zeros(v.shape, dtype=np.float64)
            flat = numeric.reshape(-1)
            for k in range(v.size):
                plus = [u.copy() for u in values]
                minus = [u.copy() for u in values]
                plus[i].reshape(-1)[k] += case.eps
                minus[i].reshape(-1)[k] -= case.eps
                f_plus = sess.run(loss, load(plus))
                f_minus = sess.run(loss, load(minus))
                flat[k] = (f_plus - f_minus) / (2 * case.eps)
            got = symbolic.get(i)
            if got is None:
                got = np.zeros(v.shape)
            np.testing.assert_allclose(
                np.asarray(got, dtype=np.float64),
                numeric,
                rtol=case.rtol,
                atol=case.atol,
                err_msg=f"{op_type}: gradient of input {i}",
            )
            load(values)


def test_no_gradient_ops_raise_lookup_error():
    for name in NO_GRADIENT_IN_TF:
        assert registry.get(name).grad is None
    x = tf.placeholder(tf.float64, [2])
    y = op_output("SoftsignGrad", None, [x, x])
    with pytest.raises(LookupError, match="No gradient defined for operation"):
        tf.gradients(y, x)
