"""`tf.print` and `tf.strings.format`: the StringFormat and PrintV2 ops.

StringFormat fills a template's placeholders with its inputs, each summarized as TF's
`SummarizeValue(n, print_v2=true)` does (the first and last `summarize` entries of every
dimension, rows on their own lines, strings quoted); PrintV2 writes a string to a stream.
"""

from __future__ import annotations

import sys

import numpy as np

from tfgraph import errors
from tfgraph.eager import context
from tfgraph.framework import nest, registry
from tfgraph.framework.ops import Tensor
from tfgraph.framework.registry import NOT_DIFFERENTIABLE, register_op
from tfgraph.ops.apply import apply_op, op_output
from tfgraph.ops.check_ops import _format_element

__all__ = ["print_v2", "string_format"]


def _element_v2(v) -> str:
    if isinstance(v, (complex, np.complexfloating)):
        return "?"  # (TF's print_v2 does not format complex numbers)
    if isinstance(v, (bytes, np.bytes_)):
        text = bytes(v).decode("utf-8", "backslashreplace")
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return _format_element(v)


def _spacing(dim: int, ndims: int) -> str:
    if dim == ndims - 1:
        return " "
    return "\n" * (ndims - dim - 1) + " " * (dim + 1)


def format_value_v2(value, summarize: int) -> str:
    """One tensor value as `tf.print` shows it."""
    a = np.asarray(value)
    if a.dtype.fields is not None:  # bfloat16 stand-in
        a = a.astype(np.float32)
    if a.ndim == 0:
        return _element_v2(a[()])
    if a.dtype.kind == "c":  # TF prints complex tensors flat, a "?" per element
        limit = a.size if summarize < 0 else min(summarize, a.size)
        return "[" + " ".join("?" * limit) + ("..." if a.size > limit else "") + "]"
    ends = a.size if summarize < 0 else summarize
    out: list[str] = []

    def one_dim(d: int, index: tuple) -> None:
        if d == a.ndim:
            out.append(_element_v2(a[index]))
            return
        out.append("[")
        count = a.shape[d]
        for i in range(min(ends, count)):
            if i > 0:
                out.append(_spacing(d, a.ndim))
            one_dim(d + 1, (*index, i))
        if count > 2 * ends:
            out.append(_spacing(d, a.ndim))
            out.append("...")
        for i in range(max(ends, count - ends), count):
            out.append(_spacing(d, a.ndim))
            one_dim(d + 1, (*index, i))
        out.append("]")

    one_dim(0, ())
    return "".join(out)


# -- StringFormat -----------------------------------------------------------------------------
def _string_format_kernel(op, ctx):
    template = op._attrs["template"].decode("utf-8")
    placeholder = op._attrs["placeholder"].decode("utf-8")
    summarize = op._attrs["summarize"]
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(op._inputs):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"num placeholders in template and num inputs must match: {len(pieces) - 1} vs. "
            f"{len(op._inputs)}",
        )

    def kernel(*values):
        out = [pieces[0]]
        for value, piece in zip(values, pieces[1:]):
            out.append(format_value_v2(value, summarize))
            out.append(piece)
        return np.array("".join(out).encode("utf-8"), dtype=object)

    return kernel


register_op(
    "StringFormat",
    inputs=["inputs: T"],
    outputs=["output: string"],
    attrs=[
        "T: list(type) >= 0",
        "template: string = '%s'",
        "placeholder: string = '%s'",
        "summarize: int = 3",
    ],
    shape=lambda op: [()],
    make_kernel=_string_format_kernel,
    grad=NOT_DIFFERENTIABLE,
)


# -- PrintV2 ----------------------------------------------------------------------------------
_STREAMS = {
    b"stderr": lambda: sys.stderr,
    b"stdout": lambda: sys.stdout,
    b"log(info)": lambda: sys.stderr,
    b"log(warning)": lambda: sys.stderr,
    b"log(error)": lambda: sys.stderr,
}


def _print_v2_kernel(op, ctx):
    stream = op._attrs["output_stream"]
    end = op._attrs["end"].decode("utf-8")
    if stream.startswith(b"file://"):
        path = stream[len(b"file://") :].decode("utf-8")

        def to_file(text):
            with open(path, "a", encoding="utf-8") as f:
                f.write(bytes(np.asarray(text)[()]).decode("utf-8") + end)

        return to_file
    get_stream = _STREAMS.get(stream)
    if get_stream is None:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"{stream.decode()} is not a valid output_stream; valid output streams: "
            "log(info), log(warning), log(error), stdout, stderr, file://<filename>",
        )

    def kernel(text):
        s = get_stream()
        s.write(bytes(np.asarray(text)[()]).decode("utf-8") + end)
        s.flush()

    return kernel


register_op(
    "PrintV2",
    inputs=["input: string"],
    outputs=[],
    attrs=["output_stream: string = 'stderr'", "end: string = ''"],
    shape=lambda op: [],
    make_kernel=_print_v2_kernel,
    grad=NOT_DIFFERENTIABLE,
    stateful=True,
)


# TF's default `end` is a newline, which the attr declaration language cannot spell.
registry.get("PrintV2").attrs["end"].default = b"\n"


def string_format(template: str, inputs, placeholder: str = "{}", summarize: int = 3, name=None):
    """`tf.strings.format`: `template` with each placeholder replaced by an input."""
    if isinstance(inputs, (list, tuple)):
        inputs = list(inputs)
    else:
        inputs = [inputs]
    return op_output(
        "StringFormat",
        name,
        [inputs],
        {
            "template": template.encode("utf-8"),
            "placeholder": placeholder.encode("utf-8"),
            "summarize": int(summarize),
        },
    )


def _stream_name(stream) -> bytes:
    if stream is sys.stdout or stream is sys.__stdout__:
        return b"stdout"
    if stream is sys.stderr or stream is sys.__stderr__:
        return b"stderr"
    if isinstance(stream, str):
        return stream.encode("utf-8")
    if isinstance(stream, bytes):
        return stream
    name = getattr(stream, "name", None)
    if name == "<stdout>":
        return b"stdout"
    if name == "<stderr>":
        return b"stderr"
    raise ValueError(
        f"Unsupported output stream, logging level, or file.{stream}. Supported streams are "
        "sys.stdout, sys.stderr, tf.compat.v1.logging.info, tf.compat.v1.logging.warning, "
        "tf.compat.v1.logging.error, or a file path string."
    )


def print_v2(*inputs, **kwargs):
    """`tf.print(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\\n",
    name=None)`: prints tensors and Python values (run eagerly, or as a PrintV2 op)."""
    output_stream = kwargs.pop("output_stream", sys.stderr)
    name = kwargs.pop("name", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {kwargs}")
    stream = _stream_name(output_stream)
    if not stream.startswith(b"file://") and stream not in _STREAMS:
        stream = b"file://" + stream
    texts = [str(v) for v in inputs if not _is_tensorish(v)]
    placeholder = "{}"
    n = 0
    while any(placeholder in t for t in texts):  # a placeholder no Python text contains
        n += 1
        placeholder = "{" + "_" * n + "}"
    templates: list[str] = []
    tensors: list = []
    for value in inputs:
        if _is_tensorish(value):
            templates.append(placeholder)
            tensors.append(value)
        elif isinstance(value, str):
            templates.append(value)
        else:
            flat = nest.flatten(value)
            if any(_is_tensorish(v) for v in flat):
                shown = nest.map_structure(lambda v: _MARKER if _is_tensorish(v) else v, value)
                templates.append(str(shown).replace(_MARKER.text, placeholder))
                tensors.extend(v for v in flat if _is_tensorish(v))
            else:
                templates.append(str(value))
    formatted = string_format(
        sep.join(templates), tensors, placeholder=placeholder, summarize=summarize
    )
    op = apply_op(
        "PrintV2", name, [formatted], {"output_stream": stream, "end": end.encode("utf-8")}
    )
    return None if context.executing_eagerly() else op


class _Marker:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


_MARKER = _Marker("TFGRAPH_PRINT_PLACEHOLDER")


def _is_tensorish(value) -> bool:
    return (
        isinstance(value, Tensor)
        or hasattr(value, "_as_graph_element")
        or (hasattr(value, "handle") and hasattr(value, "dtype"))
    )
