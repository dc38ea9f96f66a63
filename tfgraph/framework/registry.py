"""The op registry: one `OpDef` per op type, declaring everything about it in one place.

An entry gives the op's inputs, outputs and attrs (in a compact signature language
close to TensorFlow's op registrations), its static shape rule, its numpy kernel and
its gradient. Graph construction, NodeDef export, GraphDef import, execution and
autodiff all read the same entry:

    register_op(
        "MatMul",
        inputs=["a: T", "b: T"],
        outputs=["product: T"],
        attrs=["transpose_a: bool = false", "transpose_b: bool = false",
               "T: {bfloat16, half, float, double, int32, int64, complex64, complex128}"],
        shape=_matmul_shape,
        make_kernel=_matmul_kernel,
        grad=_matmul_grad,
    )

Signature language:
    input/output  "name: T"          type given by attr T
                  "name: Ref(T)"     reference (variable) input/output
                  "name: N * T"      a list of N tensors of type T
                  "name: int32"      a fixed type
                  "name: Tlist"      a list of tensors typed by a `list(type)` attr
    attr          "name: type", "name: {float, double}" (allowed types),
                  "name: int >= 1", "name: bool = false", "name: list(int) = [1, 1]",
                  "name: string = 'NHWC'", "name: {'SAME', 'VALID'}", "name: shape",
                  "name: tensor", "name: float = 0.5", "name: list(type) >= 0"

Kernels:
    kernel=fn           fn(*input_values) -> value (or tuple of values for several outputs)
    make_kernel=f       f(node, ctx) -> fn, called once per op when a plan is built; use it
                        to bind attrs and session resources (`ctx.resources_for(node)`), so
                        the per-run call is lean.
Kernels never modify their inputs in place.

Shape rules: shape(node) -> list of TensorShape, one per output. Raise ValueError for
impossible shapes (TF does so at graph-construction time).

Shape rules and kernel factories read only the narrow node view (framework/node.py:
type, name, attrs, device, typed inputs and outputs), never the Graph, so the same
kernels run without one (tests/framework/test_node_view.py checks every kernel).

Gradients: grad(op, *output_grads) -> list with one entry (Tensor, IndexedSlices or
None) per input; `NOT_DIFFERENTIABLE` marks ops with no gradient; leaving `grad` unset
means "no gradient defined" (tf.gradients raises LookupError).

Traits: what the engine (plans, gradients, saver, graph_util) may assume about an op.
They read these, never op-type names:
    stateful=True       TF's OpDef flag: running the op twice may differ (random, I/O,
                        variables); never folded, dropped or deduplicated
    side_effect=True    not stateful in TF's OpDef, yet running it matters beyond its
                        outputs (a check that raises, a print): never folded or dropped
    placeholder=True    its value comes from a feed (running it unfed is an error)
    variable=True       produces a variable's storage: one object per session, its state
                        in the session's resource store for the op's device
    constant=True       its output is fixed when the graph is built (Const)
    forwards_input=True output 0 is input 0 unchanged (Identity): plans let them share
                        one slot, and reading a reference input through it is a read
    reads_state=True    its reference or resource inputs name state it only reads
                        (ReadVariableOp, IsVariableInitialized); any other op taking a
                        reference (not through a control-flow op) or a resource may
                        write what it names: plans order reads of state that depend on
                        no such op before every such op, as TF's executor runs them
    static_value=f      f(op) -> the output's value from its input's static shape, or None
                        (Shape, Size, Rank): plans fold it when the shape is fully known
    ufunc_form=(u, c)   its kernel computes the ufunc u of its input and the constant c
                        (Relu: maximum against 0), so fused elementwise chains take it
    small_form=f        f(op, known) -> None or (fn, limit, args): where input 0 is an
                        ndarray of fewer than `limit` elements, fn(*args) is the kernel's
                        value (args: ("in", k) input k, ("value", x) x), and where it
                        raises, the kernel raises the op's error. `known`: {position: the
                        value} of inputs constant in the plan. A fused chain's head calls
                        it without the kernel's Python frame (MatMul: np.dot; Sum: the
                        ufunc's reduce over constant axes)
    epilogue=f          f(op) -> "bias" (adds a vector along the last dimension: AddV2,
                        NHWC BiasAdd), "relu" or "relu6" (Relu, Relu6), or None: what
                        the op can be as part of a convolution's epilogue
    fused_epilogue=f    f(op, ctx, epilogue) -> a kernel taking the op's inputs, and the
                        bias last if `epilogue` (a tuple of the epilogue ops' roles in
                        order, such as ("bias", "relu")) has one, that returns the op's
                        output with the epilogue applied, or None where it cannot at run
                        time (the plan then runs the ops one by one); f itself returns
                        None for an op it never fuses (Conv2D, DepthwiseConv2dNative: as
                        TF's remapper fuses them)
    sums_inputs=True    its output is the elementwise sum of its inputs (AddN, all of one
                        shape; AddV2, broadcasting): sums of matrix products may become
                        one product
    overwrites_input=ks its kernel takes `out=`: the own array of one of the inputs
                        numbered in tuple `ks` (C-contiguous, writable, float, every input
                        of its shape and dtype), which it may overwrite with its result
                        (TF's buffer forwarding); plans pass it when that input's value
                        dies at the op and no other value holds it
    matrix_product=True its output is input 0 @ input 1, 2-D, each transposed as its
                        transpose_a / transpose_b attrs say (MatMul)
    control_flow=role   "switch" (forwards to one output, the other is dead), "merge"
                        (forwards the live input), "enter", "exit", "next_iteration",
                        "loop_cond": ops whose liveness the plan tracks
    rowwise=f           f(op, per_record) -> whether the kernel, given the inputs flagged
                        in `per_record` with one more leading dimension (a row per
                        record, as many in each), returns each record's outputs as the
                        rows of its outputs (cwise ops on equal ranks, Cast, parsing one
                        Example): queue runners run such ops on groups of records
                        (client/record_batches.py)
    record_source=f     f(op, ctx) -> a kernel taking the op's inputs and a count that
                        returns up to that many records at once, as vectors of its
                        outputs (ReaderReadV2: up to n records of the current file)
    record_sink=f       f(op, ctx) -> a kernel taking the op's inputs with a leading
                        record dimension that does for each row what the op does for
                        one record (QueueEnqueueV2: enqueues each row as an element)
Pure ops (none of stateful, side_effect, placeholder, variable, no reference inputs or
outputs) may be folded when their inputs are constant and dropped when unused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tfgraph.framework import dtypes
from tfgraph.framework.tensor_shape import TensorShape

__all__ = [
    "NOT_DIFFERENTIABLE",
    "ArgDef",
    "AttrDef",
    "OpDef",
    "get",
    "lookup",
    "register_op",
    "registered_ops",
]


class _NotDifferentiable:
    def __repr__(self) -> str:
        return "NOT_DIFFERENTIABLE"


NOT_DIFFERENTIABLE = _NotDifferentiable()

# Named type sets usable in attr declarations (as TF's registrations use them).
_TYPE_SETS: dict[str, list[str]] = {
    "numbertype": [
        "float32",
        "float64",
        "int32",
        "uint8",
        "int16",
        "int8",
        "complex64",
        "int64",
        "bfloat16",
        "uint16",
        "complex128",
        "float16",
        "uint32",
        "uint64",
    ],
    "realnumbertype": [
        "float32",
        "float64",
        "int32",
        "uint8",
        "int16",
        "int8",
        "int64",
        "bfloat16",
        "uint16",
        "float16",
        "uint32",
        "uint64",
    ],
    "floatingpoint": ["float16", "bfloat16", "float32", "float64"],
    "integral": ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"],
    "complex": ["complex64", "complex128"],
}
_TYPE_ALIASES = {"float": "float32", "double": "float64", "half": "float16"}


class ArgDef:
    """One input or output argument of an op."""

    __slots__ = ("dtype", "is_ref", "name", "number_attr", "type_attr", "type_list_attr")

    def __init__(self, spec: str) -> None:
        name, _, rest = spec.partition(":")
        self.name = name.strip()
        rest = rest.strip()
        self.is_ref = False
        self.number_attr: str | None = None
        self.type_attr: str | None = None
        self.type_list_attr: str | None = None
        self.dtype: dtypes.DType | None = None
        m = re.fullmatch(r"Ref\((\w+)\)", rest)
        if m:
            self.is_ref = True
            rest = m.group(1)
        if "*" in rest:
            num, _, rest = rest.partition("*")
            self.number_attr = num.strip()
            rest = rest.strip()
            m = re.fullmatch(r"Ref\((\w+)\)", rest)  # a list of references: "N * Ref(T)"
            if m:
                self.is_ref = True
                rest = m.group(1)
        try:
            self.dtype = dtypes.as_dtype(_TYPE_ALIASES.get(rest, rest))
        except TypeError:
            self.type_attr = rest  # resolved to a list attr by OpDef if declared so

    @property
    def is_list(self) -> bool:
        return self.number_attr is not None or self.type_list_attr is not None

    def __repr__(self) -> str:
        return f"ArgDef({self.name!r})"


_ATTR_SPEC = re.compile(r"(?P<type>.*?)(?:\s*>=\s*(?P<min>-?\d+))?(?:\s*=\s*(?P<default>.+))?")


class AttrDef:
    """One attr of an op: its type (TF's attr type string), default and constraints."""

    __slots__ = ("allowed", "allowed_order", "default", "has_default", "minimum", "name", "type")

    def __init__(self, spec: str) -> None:
        name, _, rest = spec.partition(":")
        self.name = name.strip()
        rest = rest.strip()
        self.has_default = False
        self.default: Any = None
        self.minimum: int | None = None
        self.allowed: frozenset | None = None
        self.allowed_order: tuple = ()  # (as declared: TF's error messages list them so)
        m = _ATTR_SPEC.fullmatch(rest)
        if m is None:
            raise ValueError(f"cannot parse attr declaration {spec!r}")
        type_part, minimum, default = m.group("type").strip(), m.group("min"), m.group("default")
        if minimum is not None:
            self.minimum = int(minimum)
        if type_part in _TYPE_SETS:  # a bare named set, e.g. "T: numbertype"
            type_part = "{" + type_part + "}"
        if type_part.startswith("{"):
            items = [s.strip() for s in type_part[1:-1].split(",") if s.strip()]
            if items and items[0][0] in "'\"":
                self.type = "string"
                self.allowed = frozenset(s.strip("'\"").encode() for s in items)
            else:
                self.type = "type"
                names: list[str] = []
                for s in items:
                    names.extend(_TYPE_SETS.get(s, [s]))
                self.allowed_order = tuple(
                    dict.fromkeys(dtypes.as_dtype(_TYPE_ALIASES.get(s, s)) for s in names)
                )
                self.allowed = frozenset(self.allowed_order)
        elif type_part.startswith("list({"):
            self.type = "list(type)"
            inner = type_part[len("list({") : -2]
            names = []
            for s in inner.split(","):
                names.extend(_TYPE_SETS.get(s.strip(), [s.strip()]))
            self.allowed = frozenset(dtypes.as_dtype(_TYPE_ALIASES.get(s, s)) for s in names)
        else:
            self.type = type_part
        if default is not None:
            self.has_default = True
            self.default = _parse_value(self.type, default.strip())

    def __repr__(self) -> str:
        return f"AttrDef({self.name!r}, {self.type!r})"


def _parse_value(attr_type: str, text: str):
    if attr_type.startswith("list("):
        inner = attr_type[5:-1]
        body = text.strip()[1:-1].strip()
        if not body:
            return []
        return [_parse_value(inner, t.strip()) for t in body.split(",")]
    if attr_type == "bool":
        return text == "true"
    if attr_type == "int":
        return int(text)
    if attr_type == "float":
        return float(text)
    if attr_type == "string":
        return text.strip("'\"").encode()
    if attr_type == "type":
        return dtypes.as_dtype(_TYPE_ALIASES.get(text, text))
    if attr_type == "shape":
        return TensorShape(None) if text == "unknown" else TensorShape(_parse_int_list(text))
    raise ValueError(f"cannot parse a default for attr type {attr_type}: {text}")


def _parse_int_list(text: str) -> list:
    body = text.strip()[1:-1].strip()
    return [int(t) for t in body.split(",")] if body else []


CONTROL_FLOW_ROLES = frozenset(
    {"switch", "merge", "enter", "exit", "next_iteration", "loop_cond", "control_trigger"}
)


_PARSED = frozenset(
    {
        "attrs",
        "inputs",
        "outputs",
        "input_names",
        "has_ref_inputs",
        "has_ref_outputs",
        "single_output",
        "is_pure",
    }
)


class OpDef:
    """Everything tfgraph knows about one op type."""

    __slots__ = (
        "_specs",
        "allows_uninitialized_input",
        "attrs",
        "constant",
        "control_flow",
        "epilogue",
        "forwards_input",
        "fused_epilogue",
        "grad",
        "has_ref_inputs",
        "has_ref_outputs",
        "input_names",
        "inputs",
        "is_pure",
        "is_stateful",
        "kernel",
        "make_kernel",
        "matrix_product",
        "name",
        "outputs",
        "overwrites_input",
        "placeholder",
        "reads_state",
        "record_sink",
        "record_source",
        "rowwise",
        "shape",
        "side_effect",
        "single_output",
        "small_form",
        "static_value",
        "sums_inputs",
        "ufunc_form",
        "variable",
    )

    def __init__(
        self,
        name: str,
        inputs,
        outputs,
        attrs,
        shape,
        kernel,
        make_kernel,
        grad,
        is_stateful,
        allows_uninitialized_input,
        traits: dict | None = None,
    ) -> None:
        self.name = name
        # The declarations are parsed on first use (see __getattr__): import time.
        self._specs: tuple | None = (tuple(inputs), tuple(outputs), tuple(attrs))
        self.shape: Callable | None = shape
        self.kernel: Callable | None = kernel
        self.make_kernel: Callable | None = make_kernel
        self.grad = grad
        self.is_stateful = is_stateful
        self.allows_uninitialized_input = allows_uninitialized_input
        traits = traits or {}
        self.side_effect: bool = traits.get("side_effect", False)
        self.placeholder: bool = traits.get("placeholder", False)
        self.variable: bool = traits.get("variable", False)
        self.constant: bool = traits.get("constant", False)
        self.forwards_input: bool = traits.get("forwards_input", False)
        self.reads_state: bool = traits.get("reads_state", False)
        self.static_value: Callable | None = traits.get("static_value")
        self.ufunc_form: tuple | None = traits.get("ufunc_form")
        self.small_form = traits.get("small_form")
        self.epilogue: Callable | None = traits.get("epilogue")
        self.fused_epilogue: Callable | None = traits.get("fused_epilogue")
        self.sums_inputs: bool = traits.get("sums_inputs", False)
        self.matrix_product: bool = traits.get("matrix_product", False)
        self.overwrites_input: tuple = traits.get("overwrites_input") or ()
        self.rowwise: Callable | None = traits.get("rowwise")
        self.record_source: Callable | None = traits.get("record_source")
        self.record_sink: Callable | None = traits.get("record_sink")
        self.control_flow: str | None = traits.get("control_flow")
        if self.control_flow is not None and self.control_flow not in CONTROL_FLOW_ROLES:
            raise ValueError(f"op {name}: unknown control-flow role {self.control_flow!r}")

    def __getattr__(self, attr: str):
        # Only reached for a slot not set yet: the parsed declarations.
        if attr in _PARSED and self._specs is not None:
            self._parse()
            return getattr(self, attr)
        raise AttributeError(f"'OpDef' object has no attribute {attr!r}")

    def _parse(self) -> None:
        assert self._specs is not None
        inputs, outputs, attrs = self._specs
        self.attrs: dict[str, AttrDef] = {a.name: a for a in map(AttrDef, attrs)}
        self.inputs: tuple[ArgDef, ...] = tuple(map(ArgDef, inputs))
        self.outputs: tuple[ArgDef, ...] = tuple(map(ArgDef, outputs))
        for arg in self.inputs + self.outputs:
            decl = self.attrs.get(arg.type_attr) if arg.type_attr else None
            if decl is not None and decl.type == "list(type)":
                arg.type_list_attr, arg.type_attr = arg.type_attr, None
            elif arg.type_attr is not None and decl is None:
                raise ValueError(f"op {self.name}: argument {arg.name} uses undeclared attr")
        self.input_names = tuple(a.name for a in self.inputs)
        self.has_ref_inputs = any(a.is_ref for a in self.inputs)
        self.has_ref_outputs = any(a.is_ref for a in self.outputs)
        # Kernels of ops with one non-list output return the value itself; all others
        # return a sequence with one value per output (also a list output of length 1).
        self.single_output = len(self.outputs) == 1 and not self.outputs[0].is_list
        # Running a pure op only computes its outputs (its control inputs aside).
        self.is_pure = not (
            self.is_stateful
            or self.side_effect
            or self.placeholder
            or self.variable
            or self.has_ref_inputs
            or self.has_ref_outputs
        )
        self._specs = None

    def flat_ref_flags(self, attrs: dict) -> list[bool]:
        """For each flat input (list arguments expanded), whether it is a reference."""
        out: list[bool] = []
        for arg in self.inputs:
            if arg.number_attr is not None:
                out.extend([arg.is_ref] * attrs.get(arg.number_attr, 1))
            elif arg.type_list_attr is not None:
                out.extend([arg.is_ref] * len(attrs.get(arg.type_list_attr, ())))
            else:
                out.append(arg.is_ref)
        return out

    def __repr__(self) -> str:
        return f"<OpDef {self.name}>"


_REGISTRY: dict[str, OpDef] = {}


def register_op(
    name: str,
    *,
    inputs=(),
    outputs=(),
    attrs=(),
    shape: Callable | None = None,
    kernel: Callable | None = None,
    make_kernel: Callable | None = None,
    grad=None,
    stateful: bool = False,
    allows_uninitialized_input: bool = False,
    side_effect: bool = False,
    placeholder: bool = False,
    variable: bool = False,
    constant: bool = False,
    forwards_input: bool = False,
    reads_state: bool = False,
    static_value: Callable | None = None,
    control_flow: str | None = None,
    ufunc_form: tuple | None = None,
    small_form=None,
    epilogue: Callable | None = None,
    fused_epilogue: Callable | None = None,
    sums_inputs: bool = False,
    matrix_product: bool = False,
    overwrites_input: tuple = (),
    rowwise: Callable | None = None,
    record_source: Callable | None = None,
    record_sink: Callable | None = None,
) -> OpDef:
    """Declares op type `name`; see the module docstring for the signature language
    and the traits."""
    if name in _REGISTRY:
        raise KeyError(f"Op type {name!r} is already registered")
    if kernel is not None and make_kernel is not None:
        raise ValueError(f"op {name}: give either kernel or make_kernel, not both")
    op_def = OpDef(
        name,
        inputs,
        outputs,
        attrs,
        shape,
        kernel,
        make_kernel,
        grad,
        stateful,
        allows_uninitialized_input,
        {
            "side_effect": side_effect,
            "placeholder": placeholder,
            "variable": variable,
            "constant": constant,
            "forwards_input": forwards_input,
            "reads_state": reads_state,
            "static_value": static_value,
            "control_flow": control_flow,
            "ufunc_form": ufunc_form,
            "small_form": small_form,
            "epilogue": epilogue,
            "fused_epilogue": fused_epilogue,
            "sums_inputs": sums_inputs,
            "matrix_product": matrix_product,
            "overwrites_input": overwrites_input,
            "rowwise": rowwise,
            "record_source": record_source,
            "record_sink": record_sink,
        },
    )
    _REGISTRY[name] = op_def
    return op_def


def get(name: str) -> OpDef:
    """The OpDef of op type `name` (KeyError if none)."""
    return _REGISTRY[name]


def lookup(name: str) -> OpDef | None:
    return _REGISTRY.get(name)


def registered_ops() -> dict[str, OpDef]:
    """All registered op types (a copy)."""
    return dict(_REGISTRY)
