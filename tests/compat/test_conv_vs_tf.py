"""Differential tests of the conv family against real TensorFlow: conv2d, conv2d_transpose,
depthwise_conv2d, separable_conv2d, conv1d, max_pool, avg_pool, max_pool_with_argmax and
bias_add, forward values, gradients and second-order gradients, over grids of strides,
paddings (SAME, VALID, explicit), shapes and data formats, plus error classes and
phrases. Every program runs unchanged on tfgraph and (all of them in one subprocess) on
TF; the graphs they build (op names, types, inputs, attr names) must be identical.

TF's CPU kernels reject NCHW for Conv2D, its backprops, pooling and depthwise ops, and
dilated or grouped convolution gradients (TF runs those on GPU only). tfgraph computes
them; for those cases the test checks that TF still fails with its known phrase and
compares tfgraph's values with TF's values for the equivalent NHWC, undilated or
per-group computation.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import tfrun
from tests.compat import harness

COMMON = """
rs = np.random.RandomState(SEED)
def arr(*shape, ints=False):
    if ints:
        return rs.randint(0, 3, size=shape).astype(np.float32)
    return rs.randn(*shape).astype(np.float32)
def to_nchw(a):
    return np.transpose(a, (0, 3, 1, 2))
def to_nhwc(a):
    return np.transpose(a, (0, 2, 3, 1))
def nchw_pads(p):
    return p if isinstance(p, str) else [p[0], p[3], p[1], p[2]]
def run(ts):
    with tf.Session() as s:
        return s.run(ts)
def back(vals, fmt, which):
    # values of an NCHW graph, the activations among them transposed back to NHWC
    if fmt == "NHWC":
        return vals
    return [to_nhwc(v) if i in which else v for i, v in enumerate(vals)]
def const(a, fmt="NHWC"):
    return tf.constant(a if fmt == "NHWC" else to_nchw(a))
def raw(op_type, **kwargs):
    # one op by its type and argument names: tf.raw_ops in TF, the registry in tfgraph
    if hasattr(tf, "raw_ops"):
        return getattr(tf.raw_ops, op_type)(**kwargs)
    from tfgraph.framework import registry
    from tfgraph.ops.apply import op_output
    names = registry.get(op_type).input_names
    attrs = {k: v.encode() if isinstance(v, str) else v
             for k, v in kwargs.items() if k not in names}
    return op_output(op_type, None, [kwargs[n] for n in names], attrs)
"""

PROGRAMS = {
    # Conv2D: values, both gradients and second-order gradients (the gradients of
    # Conv2DBackpropInput and Conv2DBackpropFilter), NHWC and NCHW.
    "conv2d": """
configs = []
for xs, fs in [((2, 7, 6, 3), (3, 3, 3, 4)), ((1, 8, 8, 2), (2, 3, 2, 3)),
               ((2, 5, 5, 4), (1, 1, 4, 2))]:
    for stride in (1, 2):
        for padding in ("SAME", "VALID"):
            configs.append((xs, fs, stride, padding))
configs.append(((1, 7, 7, 2), (3, 3, 2, 3), [2, 1], [[0, 0], [1, 2], [2, 0], [0, 0]]))
configs.append(((2, 6, 9, 3), (2, 4, 3, 2), [1, 3], "SAME"))
configs.append(((2, 6, 6, 20), (3, 3, 20, 5), 2, "SAME"))  # per-offset products (>= 16 ch.)
configs.append(((1, 7, 6, 16), (2, 3, 16, 4), 1, "VALID"))
for i, (xs, fs, stride, padding) in enumerate(configs):
    x, f = arr(*xs), arr(*fs)
    seeds = {}
    for fmt in ("NHWC", "NCHW"):
        def case():
            xt, ft = const(x, fmt), tf.constant(f)
            y = tf.nn.conv2d(xt, ft, stride, nchw_pads(padding) if fmt == "NCHW" else padding,
                             data_format=fmt)
            if not seeds:
                shape = y.shape.as_list()
                seeds.update(gy=arr(*shape), r=arr(*xs), rf=arr(*fs))
            gyt = const(seeds["gy"], fmt)
            gx, gf = tf.gradients(y, [xt, ft], grad_ys=gyt)
            ggy, ggf = tf.gradients(gx, [gyt, ft], grad_ys=const(seeds["r"], fmt))
            ggx, ggy2 = tf.gradients(gf, [xt, gyt], grad_ys=tf.constant(seeds["rf"]))
            return back(run([y, gx, gf, ggy, ggf, ggx, ggy2]), fmt, {0, 1, 3, 5, 6})
        attempt("conv%d/%s" % (i, fmt), case)
""",
    # Dilated and grouped Conv2D: TF's CPU kernels run the forward pass but not the
    # gradients; the references compute the same function with ops TF differentiates on
    # CPU (a zero-stuffed filter; one conv per group).
    "conv2d_dilated_grouped": """
def stuffed(f, dh, dw):
    kh, kw, ci, co = f.shape.as_list()
    idx = [[i * dh, j * dw] for i in range(kh) for j in range(kw)]
    flat = tf.reshape(f, [kh * kw, ci, co])
    return tf.scatter_nd(idx, flat, [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co])
configs = [((2, 9, 8, 3), (3, 3, 3, 4), 1, "SAME", [2, 2]),
           ((1, 9, 9, 2), (2, 3, 2, 3), 1, "VALID", [3, 2]),
           ((1, 10, 9, 2), (3, 2, 2, 2), 2, "SAME", [2, 1]),
           ((1, 8, 8, 2), (3, 3, 2, 2), 1, [[0, 0], [2, 1], [0, 3], [0, 0]], [2, 2])]
for i, (xs, fs, stride, padding, dil) in enumerate(configs):
    x, f = arr(*xs), arr(*fs)
    xt, ft = tf.constant(x), tf.constant(f)
    y = tf.nn.conv2d(xt, ft, stride, padding, dilations=dil)
    gy = tf.constant(arr(*y.shape.as_list()))
    attempt("dilated%d/native" % i, lambda: run([y] + tf.gradients(y, [xt, ft], grad_ys=gy)))
    yr = tf.nn.conv2d(xt, stuffed(ft, *dil), stride, padding)
    attempt("dilated%d/ref" % i, lambda: run([yr] + tf.gradients(yr, [xt, ft], grad_ys=gy)))
for i, (xs, fs, stride, padding, groups) in enumerate([
        ((2, 6, 6, 4), (3, 3, 2, 6), 1, "SAME", 2),
        ((1, 7, 6, 6), (2, 2, 2, 3), 2, "VALID", 3)]):
    x, f = arr(*xs), arr(*fs)
    xt, ft = tf.constant(x), tf.constant(f)
    y = tf.nn.conv2d(xt, ft, stride, padding)
    gy = tf.constant(arr(*y.shape.as_list()))
    attempt("grouped%d/native" % i, lambda: run([y] + tf.gradients(y, [xt, ft], grad_ys=gy)))
    parts = zip(tf.split(xt, groups, axis=3), tf.split(ft, groups, axis=3))
    yr = tf.concat([tf.nn.conv2d(a, b, stride, padding) for a, b in parts], 3)
    attempt("grouped%d/ref" % i, lambda: run([yr] + tf.gradients(yr, [xt, ft], grad_ys=gy)))
""",
    # conv2d_transpose (one Conv2DBackpropInput) and its gradients.
    "conv2d_transpose": """
x, f = arr(2, 4, 4, 3), arr(3, 3, 5, 3)
configs = [(1, "SAME", [2, 4, 4, 5]), (2, "SAME", [2, 8, 8, 5]), (2, "SAME", [2, 7, 8, 5]),
           (1, "VALID", [2, 6, 6, 5]), (2, "VALID", [2, 9, 9, 5]), (2, "VALID", [2, 10, 9, 5]),
           ([2, 1], [[0, 0], [1, 1], [1, 0], [0, 0]], [2, 8, 5, 5])]
for i, (stride, padding, out_shape) in enumerate(configs):
    seeds = {}
    for fmt in ("NHWC", "NCHW"):
        def case():
            xt, ft = const(x, fmt), tf.constant(f)
            shape = out_shape if fmt == "NHWC" else [out_shape[i] for i in (0, 3, 1, 2)]
            pad = nchw_pads(padding) if fmt == "NCHW" else padding
            y = tf.nn.conv2d_transpose(xt, ft, shape, stride, pad, data_format=fmt)
            if not seeds:
                seeds.update(gy=arr(*out_shape), r=arr(*x.shape))
            gyt = const(seeds["gy"], fmt)
            gx, gf = tf.gradients(y, [xt, ft], grad_ys=gyt)
            ggy = tf.gradients(gx, gyt, grad_ys=const(seeds["r"], fmt))
            return back(run([y, gx, gf] + ggy), fmt, {0, 1, 3})
        attempt("transpose%d/%s" % (i, fmt), case)
y = tf.nn.conv2d_transpose(tf.constant(x), tf.constant(f), tf.constant([2, 8, 8, 5]), 2)
record("dynamic_shape", [y.shape.as_list(), run(y).shape])
""",
    "depthwise": """
configs = []
for m in (1, 2):
    for stride in (1, 2):
        for padding in ("SAME", "VALID"):
            configs.append(((2, 6, 5, 3), (3, 3, 3, m), stride, padding))
configs.append(((1, 7, 7, 2), (2, 3, 2, 2), 2, [[0, 0], [1, 2], [0, 1], [0, 0]]))
for i, (xs, fs, stride, padding) in enumerate(configs):
    x, f = arr(*xs), arr(*fs)
    seeds = {}
    for fmt in ("NHWC", "NCHW"):
        def case():
            xt, ft = const(x, fmt), tf.constant(f)
            strides = [1, stride, stride, 1] if fmt == "NHWC" else [1, 1, stride, stride]
            pad = nchw_pads(padding) if fmt == "NCHW" else padding
            y = tf.nn.depthwise_conv2d(xt, ft, strides, pad, data_format=fmt)
            if not seeds:
                seeds.update(gy=arr(*y.shape.as_list()), r=arr(*xs), rf=arr(*fs))
            gyt = const(seeds["gy"], fmt)
            gx, gf = tf.gradients(y, [xt, ft], grad_ys=gyt)
            ggy, ggf = tf.gradients(gx, [gyt, ft], grad_ys=const(seeds["r"], fmt))
            ggx, ggy2 = tf.gradients(gf, [xt, gyt], grad_ys=tf.constant(seeds["rf"]))
            return back(run([y, gx, gf, ggy, ggf, ggx, ggy2]), fmt, {0, 1, 3, 5, 6})
        attempt("depthwise%d/%s" % (i, fmt), case)
x, dw, pw = arr(2, 7, 7, 3), arr(3, 3, 3, 2), arr(1, 1, 6, 4)
for i, (stride, padding) in enumerate([(1, "SAME"), (2, "VALID"), (2, "SAME")]):
    xt, dwt, pwt = tf.constant(x), tf.constant(dw), tf.constant(pw)
    y = tf.nn.separable_conv2d(xt, dwt, pwt, [1, stride, stride, 1], padding)
    gy = tf.constant(arr(*y.shape.as_list()))
    attempt("separable%d" % i, lambda: run([y] + tf.gradients(y, [xt, dwt, pwt], grad_ys=gy)))
""",
    # rate > 1: TF wraps the depthwise op in SpaceToBatchND/BatchToSpaceND, tfgraph uses
    # the op's dilations; values are compared, graphs are not.
    "depthwise_rate": """
for i, (xs, fs, padding, rate) in enumerate([((2, 9, 8, 3), (3, 3, 3, 2), "SAME", [2, 2]),
                                             ((1, 9, 9, 2), (2, 3, 2, 1), "VALID", [3, 2]),
                                             ((1, 8, 9, 2), (2, 2, 2, 2), "SAME", [2, 1])]):
    x, f = arr(*xs), arr(*fs)
    xt, ft = tf.constant(x), tf.constant(f)
    y = tf.nn.depthwise_conv2d(xt, ft, [1, 1, 1, 1], padding, rate=rate)
    gy = tf.constant(arr(*y.shape.as_list()))
    attempt("rate%d" % i, lambda: run([y] + tf.gradients(y, [xt, ft], grad_ys=gy)))
x, dw, pw = arr(1, 8, 8, 2), arr(3, 3, 2, 2), arr(1, 1, 4, 3)
xt, dwt, pwt = tf.constant(x), tf.constant(dw), tf.constant(pw)
y = tf.nn.separable_conv2d(xt, dwt, pwt, [1, 1, 1, 1], "SAME", rate=[2, 2])
gy = tf.constant(arr(*y.shape.as_list()))
attempt("separable_rate", lambda: run([y] + tf.gradients(y, [xt, dwt, pwt], grad_ys=gy)))
""",
    "conv1d": """
x, f = arr(2, 9, 3), arr(3, 3, 4)
for i, (stride, padding) in enumerate([(1, "SAME"), (2, "SAME"), (1, "VALID"), (2, "VALID")]):
    seeds = {}
    for fmt in ("NWC", "NCW"):
        def case():
            xt = tf.constant(x if fmt == "NWC" else np.transpose(x, (0, 2, 1)))
            ft = tf.constant(f)
            y = tf.nn.conv1d(xt, ft, stride, padding, data_format=fmt)
            if not seeds:
                seeds.update(gy=arr(*y.shape.as_list()))
            gy = seeds["gy"] if fmt == "NWC" else np.transpose(seeds["gy"], (0, 2, 1))
            vals = run([y] + tf.gradients(y, [xt, ft], grad_ys=tf.constant(gy)))
            if fmt == "NCW":
                vals = [np.transpose(vals[0], (0, 2, 1)), np.transpose(vals[1], (0, 2, 1)),
                        vals[2]]
            return vals
        attempt("conv1d%d/%s" % (i, fmt), case)
""",
    # Pooling: integer-valued inputs make ties, so max-pool gradients check TF's rule that
    # a window's gradient goes to its first maximum; SAME average pooling divides by the
    # number of input (non-padding) values.
    "pool": """
configs = [(k, s, p) for k in (2, 3, [2, 3]) for s in (1, 2, [2, 1]) for p in ("SAME", "VALID")]
configs += [(2, 2, [[0, 0], [1, 0], [0, 1], [0, 0]]), (3, [1, 2], [[0, 0], [1, 1], [2, 0], [0, 0]])]
for i, (k, s, padding) in enumerate(configs):
    x, xa = arr(2, 7, 6, 3, ints=True), arr(2, 7, 6, 3)
    seeds = {}
    for fmt in ("NHWC", "NCHW"):
        def case():
            xt = const(x, fmt)
            pad = nchw_pads(padding) if fmt == "NCHW" else padding
            y = tf.nn.max_pool(xt, k, s, pad, data_format=fmt)
            if not seeds:
                seeds.update(gy=arr(*y.shape.as_list()), r=arr(*x.shape))
            gyt = const(seeds["gy"], fmt)
            gx = tf.gradients(y, xt, grad_ys=gyt)[0]
            fetch = [y, gx]
            if isinstance(padding, str):  # MaxPoolGradGrad has no EXPLICIT padding
                fetch += tf.gradients(gx, gyt, grad_ys=const(seeds["r"], fmt))
            return back(run(fetch), fmt, {0, 1, 2})
        attempt("max%d/%s" % (i, fmt), case)
        if not isinstance(padding, str):
            continue
        def avg_case():
            xt = const(xa, fmt)
            y = tf.nn.avg_pool(xt, k, s, padding, data_format=fmt)
            gyt = const(seeds["gy"], fmt)
            gx = tf.gradients(y, xt, grad_ys=gyt)[0]
            ggy = tf.gradients(gx, gyt, grad_ys=const(seeds["r"], fmt))
            return back(run([y, gx] + ggy), fmt, {0, 1, 2})
        attempt("avg%d/%s" % (i, fmt), avg_case)
for i, (k, s, padding, batch) in enumerate([([1, 2, 2, 1], [1, 2, 2, 1], "SAME", False),
                                            ([1, 3, 3, 1], [1, 1, 1, 1], "SAME", True),
                                            ([1, 3, 2, 1], [1, 2, 1, 1], "VALID", True),
                                            ([1, 2, 3, 1], [1, 1, 2, 1], "VALID", False)]):
    x = arr(2, 7, 6, 3, ints=True)
    xt = tf.constant(x)
    y, idx = tf.nn.max_pool_with_argmax(xt, k, s, padding, include_batch_in_index=batch)
    gy = tf.constant(arr(*y.shape.as_list()))
    attempt("argmax%d" % i, lambda: run([y, idx] + tf.gradients(y, xt, grad_ys=gy)))
""",
    "bias_add": """
for i, (shape, fmt) in enumerate([((3, 4), None), ((2, 3, 4), None), ((2, 3, 4, 5), "NHWC"),
                                  ((2, 4, 3), "NCHW"), ((2, 4, 3, 2), "NCHW"),
                                  ((2, 4, 3, 2, 2), "NCHW")]):
    x = tf.constant(arr(*shape))
    c = shape[1] if fmt == "NCHW" else shape[-1]
    b = tf.constant(arr(c))
    y = tf.nn.bias_add(x, b, data_format=fmt)
    gy = tf.constant(arr(*shape))
    gx, gb = tf.gradients(y, [x, b], grad_ys=gy)
    ggy = tf.gradients(gb, gy, grad_ys=tf.constant(arr(c)))
    attempt("bias%d" % i, lambda: run([y, gx, gb] + ggy))
""",
    "errors": """
x = tf.constant(arr(2, 4, 4, 3))
attempt("transpose_channels", lambda: tf.nn.conv2d_transpose(
    x, tf.ones([3, 3, 5, 2]), [2, 8, 8, 5], 2, "SAME"))
attempt("transpose_sizes", lambda: tf.nn.conv2d_transpose(
    x, tf.ones([3, 3, 5, 3]), [8, 8, 5], 2, "SAME"))
attempt("transpose_batch", lambda: tf.nn.conv2d_transpose(
    x, tf.ones([3, 3, 5, 3]), [3, 8, 8, 5], 2, "SAME"))
attempt("transpose_spatial", lambda: run(tf.nn.conv2d_transpose(
    x, tf.ones([3, 3, 5, 3]), [2, 9, 9, 5], 2, "SAME")))
attempt("transpose_depth", lambda: run(tf.nn.conv2d_transpose(
    x, tf.ones([3, 3, 5, 3]), [2, 8, 8, 4], 2, "SAME")))
attempt("filter_depth", lambda: run(tf.nn.conv2d_backprop_filter(
    x, [3, 3, 3, 4], tf.ones([2, 4, 4, 5]), [1, 1, 1, 1], "SAME")))
attempt("filter_spatial", lambda: run(tf.nn.conv2d_backprop_filter(
    x, [3, 3, 3, 4], tf.ones([2, 3, 3, 4]), [1, 1, 1, 1], "SAME")))
attempt("filter_sizes", lambda: tf.nn.conv2d_backprop_filter(
    x, [3, 3, 3], tf.ones([2, 4, 4, 4]), [1, 1, 1, 1], "SAME"))
attempt("depthwise_depth", lambda: tf.nn.depthwise_conv2d(
    x, tf.ones([3, 3, 2, 2]), [1, 1, 1, 1], "SAME"))
attempt("depthwise_negative", lambda: tf.nn.depthwise_conv2d(
    x, tf.ones([5, 5, 3, 2]), [1, 1, 1, 1], "VALID"))
attempt("depthwise_strides", lambda: tf.nn.depthwise_conv2d(
    x, tf.ones([3, 3, 3, 2]), [1, 1, 1], "VALID"))
attempt("depthwise_bp_rows", lambda: run(tf.nn.depthwise_conv2d_native_backprop_input(
    [2, 9, 9, 3], tf.ones([3, 3, 3, 2]), tf.ones([2, 4, 4, 6]), [1, 2, 2, 1], "SAME")))
attempt("depthwise_bp_depth", lambda: run(tf.nn.depthwise_conv2d_native_backprop_filter(
    x, [3, 3, 3, 2], tf.ones([2, 4, 4, 5]), [1, 1, 1, 1], "SAME")))
attempt("separable_pointwise", lambda: tf.nn.separable_conv2d(
    x, tf.ones([3, 3, 3, 2]), tf.ones([2, 1, 6, 4]), [1, 1, 1, 1], "VALID"))
attempt("separable_depth", lambda: tf.nn.separable_conv2d(
    x, tf.ones([3, 3, 3, 2]), tf.ones([1, 1, 5, 4]), [1, 1, 1, 1], "VALID"))
attempt("conv1d_format", lambda: tf.nn.conv1d(tf.ones([2, 9, 3]), tf.ones([3, 3, 4]), 1,
                                              "VALID", data_format="NHC"))
attempt("argmax_format", lambda: tf.nn.max_pool_with_argmax(
    x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME", data_format="NCHW"))
attempt("argmax_ksize", lambda: tf.nn.max_pool_with_argmax(x, 2, 2, "SAME"))
attempt("maxpoolgrad_shapes", lambda: run(raw("MaxPoolGrad",
    orig_input=x, orig_output=tf.ones([2, 3, 3, 3]), grad=tf.ones([2, 2, 2, 3]),
    ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")))
attempt("maxpoolgrad_rank", lambda: raw("MaxPoolGrad",
    orig_input=x[0], orig_output=tf.ones([2, 2, 3]), grad=tf.ones([2, 2, 3]),
    ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME"))
attempt("avgpoolgrad_sizes", lambda: raw("AvgPoolGrad",
    orig_input_shape=[2, 4, 4], grad=tf.ones([2, 2, 2, 3]), ksize=[1, 2, 2, 1],
    strides=[1, 2, 2, 1], padding="SAME"))
attempt("bias_nchw_rank", lambda: tf.nn.bias_add(tf.ones([2, 3]), tf.ones([3]),
                                                 data_format="NCHW"))
attempt("biasaddgrad_rank", lambda: raw("BiasAddGrad", out_backprop=tf.ones([3])))
attempt("explicit_gradgrad", lambda: tf.gradients(tf.gradients(
    tf.nn.max_pool(x, 2, 2, [[0, 0], [1, 0], [0, 1], [0, 0]]), x)[0], x))
""",
}

# Programs whose graphs differ from TF's by design (see the program's comment).
GRAPH_DIFFERS = {"depthwise_rate"}

# What TF's CPU kernels say when they reject a configuration tfgraph computes.
TF_CPU_LIMITS = (
    "only supports the NHWC tensor format on the CPU",  # Conv2D
    "only supports NHWC",  # Conv2DCustomBackprop*, pooling ops
    "Depthwise convolution on CPU is only supported for NHWC format",
    "Current CPU implementations do not yet support dilation rates larger than 1",
    "Gradients for grouped convolutions are not supported on CPU",
    "filter_size does not have enough elements",  # grouped Conv2DBackpropFilter
)


# Errors raised by tfgraph's generic attr validation (graph core), whose wording differs
# from TF's op-definition library: only the class is compared.
ATTR_VALUE_ERRORS = {"explicit_gradgrad"}


def _programs() -> dict:
    return {
        name: COMMON.replace("SEED", str(i)) + source
        for i, (name, source) in enumerate(sorted(PROGRAMS.items()))
    }


def _interop_graph(directory) -> dict:
    """Builds conv-family ops and their (second-order) gradients in tfgraph, writes the
    GraphDef and the feed to `directory`, and returns the fetch names and tfgraph's
    values; the "interop" program imports the file into TF and runs the same fetches."""
    import tfgraph as tf

    rng = np.random.RandomState(11)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 8, 8, 3], name="x")
        w = tf.constant(rng.randn(3, 3, 3, 4).astype(np.float32), name="w")
        dw = tf.constant(rng.randn(3, 3, 3, 2).astype(np.float32), name="dw")
        y = tf.nn.conv2d(x, w, 2, "SAME")
        d = tf.nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "SAME")
        t = tf.nn.conv2d_transpose(x, tf.ones([3, 3, 5, 3]), [2, 16, 16, 5], 2)
        mp, argmax = tf.nn.max_pool_with_argmax(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        pools = tf.nn.max_pool(x, 3, 2, "VALID") + 1.0
        loss = sum(
            tf.reduce_sum(v * v)
            for v in (y, d, t, pools, tf.nn.avg_pool(x, 2, 2, "SAME"), tf.nn.bias_add(x, [1.0] * 3))
        )
        gx, gw, gdw = tf.gradients(loss, [x, w, dw])
        ggx = tf.gradients(tf.reduce_sum(gx * gx), x)[0]
        gmx = tf.gradients(tf.reduce_sum(mp * mp), x)[0]
        c1 = tf.nn.conv1d(tf.reshape(x, [2, 64, 3]), tf.ones([3, 3, 4]), 2, "SAME")
        fetches = [gx, gw, gdw, ggx, gmx, argmax, c1]
        xv = rng.randn(2, 8, 8, 3).astype(np.float32)
        with tf.Session(graph=g) as sess:
            values = sess.run(fetches, {x: xv})
    pb = directory / "conv_graph.pb"
    pb.write_bytes(g.as_graph_def().SerializeToString())
    np.save(directory / "x.npy", xv)
    names = [t.name for t in fetches]
    program = (
        "gd = tf.GraphDef()\n"
        f"gd.ParseFromString(open({str(pb)!r}, 'rb').read())\n"
        "tf.import_graph_def(gd, name='')\n"
        f"feed = {{'x:0': np.load({str(directory / 'x.npy')!r})}}\n"
        f"attempt('values', lambda: tf.Session().run({names!r}, feed))\n"
    )
    return {"program": program, "values": values}


@pytest.fixture(scope="module")
def interop(tmp_path_factory):
    return _interop_graph(tmp_path_factory.mktemp("conv_interop"))


@pytest.fixture(scope="module")
def tf_results(interop):
    return harness.run_programs_in_tf({**_programs(), "interop": interop["program"]})


@pytest.fixture(scope="module")
def our_results():
    return {name: harness.run_program_in_tfgraph(src) for name, src in _programs().items()}


def _values(result) -> list[np.ndarray]:
    assert "ok" in result, f"failed: {result}"
    return [np.asarray(v["array"], dtype=v["dtype"]) for v in result["ok"]]


def _assert_close(ours, theirs, key: str, rtol=2e-5, atol=2e-5) -> None:
    a, b = _values(ours), _values(theirs)
    assert len(a) == len(b), key
    for i, (u, v) in enumerate(zip(a, b)):
        assert u.shape == v.shape and u.dtype == v.dtype, f"{key}[{i}]: {u.shape} vs {v.shape}"
        scale = max(1.0, float(np.abs(v).max(initial=0.0)))
        np.testing.assert_allclose(u, v, rtol=rtol, atol=atol * scale, err_msg=f"{key}[{i}]")


def _tf_cpu_limit(result) -> bool:
    return "error" in result and any(p in result["message"] for p in TF_CPU_LIMITS)


def _compare_program(name, ours, theirs) -> dict:
    """Compares every result TF computed; returns the results TF could not compute on
    CPU ({key: (ours, TF's error)}) for the caller to check against a reference."""
    assert set(ours["results"]) == set(theirs["results"])
    limited = {}
    for key, value in theirs["results"].items():
        mine = ours["results"][key]
        if not isinstance(value, dict):  # a record()ed plain value
            assert mine == value, (name, key)
        elif _tf_cpu_limit(value):
            limited[key] = (mine, value)
        elif "error" in value:
            assert "error" in mine, f"{name}/{key}: TF raised {value}, tfgraph {mine}"
            assert mine["error"] == value["error"], (name, key, mine, value)
        else:
            _assert_close(mine, value, f"{name}/{key}")
    return limited


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", sorted(set(PROGRAMS) - GRAPH_DIFFERS))
def test_graph_matches_tensorflow(name, tf_results, our_results):
    assert our_results[name]["graph"] == tf_results[name]["graph"]


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", ["conv2d", "conv2d_transpose", "depthwise", "conv1d", "pool"])
def test_values_and_gradients_match_tensorflow(name, tf_results, our_results):
    """NHWC results equal TF's; NCHW (which TF's CPU kernels reject) equal TF's NHWC."""
    theirs = tf_results[name]["results"]
    limited = _compare_program(name, our_results[name], tf_results[name])
    for key, (mine, tf_error) in limited.items():
        base, fmt = key.rsplit("/", 1)
        assert fmt in ("NCHW", "NCW"), f"{name}/{key}: TF failed: {tf_error}"
        nhwc = theirs[f"{base}/{'NHWC' if fmt == 'NCHW' else 'NWC'}"]
        _assert_close(mine, nhwc, f"{name}/{key}")
    if name in ("conv2d", "conv2d_transpose", "depthwise", "pool"):
        assert limited, "TF's CPU kernels now run NCHW: compare those values directly"


@pytest.mark.tf
@tfrun.requires_tf
def test_dilated_and_grouped_conv_gradients(tf_results, our_results):
    """TF computes dilated/grouped forward values on CPU but not their gradients; tfgraph's
    native results equal TF's zero-stuffed-filter / per-group references."""
    theirs = tf_results["conv2d_dilated_grouped"]["results"]
    ours = our_results["conv2d_dilated_grouped"]["results"]
    natives = [k for k in theirs if k.endswith("/native")]
    assert len(natives) == 6
    for key in natives:
        ref = key.replace("/native", "/ref")
        _assert_close(ours[ref], theirs[ref], ref)
        _assert_close(ours[key], theirs[ref], key)
        assert _tf_cpu_limit(theirs[key]), theirs[key]


@pytest.mark.tf
@tfrun.requires_tf
@pytest.mark.parametrize("name", ["depthwise_rate", "bias_add"])
def test_other_values_match_tensorflow(name, tf_results, our_results):
    assert not _compare_program(name, our_results[name], tf_results[name])


@pytest.mark.tf
@tfrun.requires_tf
def test_argmax_and_ties_match_tensorflow(tf_results, our_results):
    theirs = tf_results["pool"]["results"]
    ours = our_results["pool"]["results"]
    for key in [k for k in theirs if k.startswith(("argmax", "max"))]:
        if "error" in theirs[key]:
            continue
        # a tie broken differently moves a whole gradient value; sums of several window
        # gradients may round differently
        for u, v in zip(_values(ours[key]), _values(theirs[key])):
            np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-6, err_msg=key)


@pytest.mark.tf
@tfrun.requires_tf
def test_errors_match_tensorflow(tf_results, our_results):
    """Error classes match, and tfgraph's first message line (up to the node reference)
    appears in TF's message."""
    theirs = tf_results["errors"]["results"]
    ours = our_results["errors"]["results"]
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        assert "error" in value, f"{key}: TF did not fail: {value}"
        assert "error" in mine, f"{key}: tfgraph did not fail (TF: {value})"
        assert mine["error"] == value["error"], (key, mine, value)
        if key in ATTR_VALUE_ERRORS:
            continue
        first = mine["message"].split("\n")[0].split(" for '")[0]
        assert first in value["message"], f"{key}: {first!r} not in {value['message']!r}"


@pytest.mark.tf
@tfrun.requires_tf
def test_graph_def_runs_in_tensorflow(tf_results, interop):
    """A GraphDef tfgraph writes with every conv-family op and gradient op (also second
    order) imports into TF, which computes tfgraph's values."""
    theirs = tf_results["interop"]["results"]["values"]
    assert "ok" in theirs, theirs
    for i, (mine, value) in enumerate(zip(interop["values"], _values(theirs))):
        assert mine.dtype == value.dtype, i
        # float32 sums of many products round differently in TF's kernels; as TF's own
        # conv tests do, bound the error by the magnitude of what is summed: here the
        # largest value of the result (second-order gradients reach 3e5).
        scale = float(np.abs(value).max()) if value.size else 0.0
        np.testing.assert_allclose(
            mine, value, rtol=2e-5, atol=max(2e-4, 1e-6 * scale), err_msg=str(i)
        )
