"""`tf.train.do_quantize_training_on_graphdef`: TF's quantized-training GraphDef rewrite.

Every data input of a MatMul or Conv2D (outside "gradients...") goes through a
QuantizeAndDequantizeV2 named after the input's node. The range comes from what produces
the input (looking through Identity, pooling, Reshape and ConcatV2): fixed for Relu6
(0..6), Sigmoid (0..1) and Tanh (-1..1); otherwise estimated by two scalar variables
(`<input>/Min/Variable`, `<input>/Max/Variable`) that start at the input's first min/max
and then follow exponential moving averages (decay 0.999) each time the graph runs; a
Saver in the graph (one SaveV2 and its restore_all) saves and restores them too.
"""

from __future__ import annotations

import numpy as np

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.convert import constant
from tfgraph.framework.graph import Graph
from tfgraph.framework.importer import import_graph_def
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.ops.apply import apply_op

__all__ = ["do_quantize_training_on_graphdef"]

_TARGETS = ("MatMul", "Conv2D")
_EMA_DECAY = 0.999
_ALLOWED_INPUTS = 2  # (unknown producers taken as model inputs, as TF allows)
_FIXED = {"Relu6": (False, 0.0, 6.0), "Sigmoid": (False, 0.0, 1.0), "Tanh": (True, -1.0, 1.0)}
_THROUGH_ALL = ("Identity", "MaxPool", "AvgPool", "MaxPool3D", "AvgPool3D")


def _find_type(op) -> tuple[bool, bool, float, float, bool]:
    """(signed_input, range_given, min, max, known) for the input produced by `op`."""
    kind = op.type
    if kind in ("Const", "Variable", "VariableV2"):
        return True, False, 0.0, 0.0, True
    if kind == "Relu":
        return False, False, 0.0, 0.0, True
    if kind in _FIXED:
        signed, lo, hi = _FIXED[kind]
        return signed, True, lo, hi, True
    if kind in ("Reshape", "ConcatV2") or kind in _THROUGH_ALL:
        found = (False, False, 0.0, 0.0, True)
        inputs = op.inputs[:1] if kind in ("Reshape", "ConcatV2") else op.inputs
        for t in inputs:
            found = (*_find_type(t.op)[:4], True)
        return found
    return True, False, 0.0, 0.0, False


def _scalar(name: str, value, dtype=dtypes.float32):
    return constant(np.array(value, dtype.np_dtype), dtype=dtype, name=name)


def _op(op_type: str, name: str, inputs, attrs=None):
    return apply_op(op_type, name, inputs, attrs or {})._outputs


def _ema_variable(name: str, decay, init):
    """A scalar variable set to `init` on the first run, then to its moving average."""
    var = _op(
        "VariableV2",
        f"{name}/Variable",
        [],
        {"shape": TensorShape([]), "dtype": dtypes.float32, "container": b"", "shared_name": b""},
    )[0]
    ready = _op("IsVariableInitialized", f"{name}/IsInitialized", [var])[0]
    first, later = _op("Switch", f"{name}/Switch", [init, ready])
    one = _scalar(f"{name}/EMA/OneConst", 1.0)
    keep = _op("Sub", f"{name}/EMA/DecayComplement", [one, decay])[0]
    diff = _op("Sub", f"{name}/EMA/ValueDiff", [var, later])[0]
    step = _op("Mul", f"{name}/EMA/UpdateValue", [diff, keep])[0]
    average = _op("Sub", f"{name}/EMA/EMAValue", [var, step])[0]
    merged = _op("Merge", f"{name}/Merge", [[first, average]])[0]
    return _op("Assign", f"{name}/AssignValue", [var, merged])[0], var


def _quantize(source, num_bits: int, found, added: list):
    """The QuantizeAndDequantizeV2 of output 0 of `source` (TF quantizes output 0 of the
    producing node, whichever output the edge used)."""
    signed, given, lo, hi, _ = found
    prefix = source.name
    x = source._outputs[0]
    if given:
        low = _scalar(f"{prefix}/InputMin", lo)
        high = _scalar(f"{prefix}/InputMax", hi)
    else:
        decay = _scalar(f"{prefix}/Decay", _EMA_DECAY)
        start = _scalar(f"{prefix}/ReductionAxes/RangeStart", 0, dtypes.int32)
        delta = _scalar(f"{prefix}/ReductionAxes/RangeDelta", 1, dtypes.int32)
        rank = _op("Rank", f"{prefix}/ReductionAxes/InputRank", [x])[0]
        axes = _op("Range", f"{prefix}/ReductionAxes/ReductionAxes", [start, rank, delta])[0]
        keep = {"keep_dims": False}
        lo_t = _op("Min", f"{prefix}/Min", [x, axes], dict(keep))[0]
        hi_t = _op("Max", f"{prefix}/Max", [x, axes], dict(keep))[0]
        low, low_var = _ema_variable(f"{prefix}/Min", decay, lo_t)
        high, high_var = _ema_variable(f"{prefix}/Max", decay, hi_t)
        added += [low_var, high_var]
    attrs = {"signed_input": signed, "num_bits": num_bits, "range_given": True}
    return _op(
        "QuantizeAndDequantizeV2", f"{prefix}/QuantizeAndDequantizeV2", [x, low, high], attrs
    )[0]


def _edges(graph):
    """(consumer, input index, producer, producer type facts) of every edge to rewrite."""
    edges, unknown = [], 0
    for op in graph.get_operations():
        if op.type not in _TARGETS or op.name.startswith("gradients"):
            continue
        for i, t in enumerate(op.inputs):
            found = _find_type(t.op)
            if not found[4]:
                unknown += 1
                if unknown > _ALLOWED_INPUTS:
                    raise errors.UnimplementedError(
                        None,
                        None,
                        f"Found an unknown op: {t.op.name} with type: {t.op.type}; Unknown "
                        "ops are considered as model input for now and only "
                        f"{_ALLOWED_INPUTS} inputs are supported currently.",
                    )
            edges.append((op, i, t.op, found))
    return edges


def _save_op(graph):
    """The graph's SaveV2 op and its restore_all NoOp, or (None, None)."""
    saves = [op for op in graph.get_operations() if op.type == "SaveV2"]
    if not saves:
        return None, None
    if len(saves) > 1:
        raise errors.InvalidArgumentError(None, None, "Input graph has multiple SaveV2 ops.")
    prefix = saves[0].name.rpartition("/")[0]
    try:
        restore_all = graph.get_operation_by_name(f"{prefix}/restore_all")
    except (KeyError, ValueError):
        raise errors.InvalidArgumentError(
            None, None, "graph has SaveOp, but no restore_all NoOp"
        ) from None
    return saves[0], restore_all


def _restore_ops(save, variables) -> list[str]:
    """A RestoreV2 and an Assign per new variable (named as TF's rewrite names them);
    returns the Assigns' names."""
    prefix = save.name.rpartition("/")[0]
    names = []
    for i, var in enumerate(variables):
        restore_name = f"{prefix}/RestoreV2/_{2 * i}_qt"
        tensor_names = constant(np.array([var.op.name.encode()], object), dtype=dtypes.string,
                                name=f"{restore_name}/tensor_names")  # fmt: skip
        slices = constant(np.array([b""], object), dtype=dtypes.string,
                          name=f"{restore_name}/shape_and_slices")  # fmt: skip
        restored = _op(
            "RestoreV2",
            restore_name,
            [save.inputs[0], tensor_names, slices],
            {"dtypes": [dtypes.float32]},
        )[0]
        names.append(_op("Assign", f"{prefix}/Assign/_{2 * i + 1}_qt", [var, restored])[0].op.name)
    return names


def _wire_saver(out, save, restore_all, variables, assigns) -> None:
    """Adds the new variables to the SaveV2 node (moved to the end, as TF rebuilds it) and
    their restores to restore_all, in the GraphDef `out`."""
    from tfgraph.io.tensor_proto import make_ndarray, make_tensor_proto

    nodes = {n.name: n for n in out.node}
    var_names = [v.op.name for v in variables]
    for index, extra in ((1, var_names), (2, [""] * len(var_names))):
        const = nodes[save.inputs[index].op.name]
        values = [bytes(b) for b in make_ndarray(const.attr["value"].tensor).reshape(-1)]
        values += [e.encode() for e in extra]
        proto = make_tensor_proto(np.array(values, object), dtype=dtypes.string)
        const.attr["value"].tensor.CopyFrom(proto)
    node = nodes[save.name]
    data = [i for i in node.input if not i.startswith("^")]
    control = [i for i in node.input if i.startswith("^")]
    del node.input[:]
    node.input.extend(data + var_names + control)
    node.attr["dtypes"].list.type.extend([dtypes.float32.as_datatype_enum] * len(var_names))
    moved = out.node.add()
    moved.CopyFrom(node)
    out.node.remove(node)
    nodes[restore_all.name].input.extend(f"^{a}" for a in assigns)


def do_quantize_training_on_graphdef(input_graph, num_bits: int):
    """Rewrites the GraphDef `input_graph` for quantized training: returns a new GraphDef
    whose MatMul and Conv2D inputs go through `num_bits` QuantizeAndDequantizeV2 ops (and,
    when the graph has a Saver, whose Saver also saves and restores the new variables).

    Raises:
        IndexError: `num_bits` is not in [1, 63] (TF's out-of-range status, as TF raises it).
        UnimplementedError: more than two inputs come from ops of unknown range.
        InvalidArgumentError: the graph has several SaveV2 ops, or no restore_all.
    """
    num_bits = int(num_bits)
    if num_bits < 1 or num_bits > 63:
        raise IndexError(f"num_bits should be in range [1, 63] but is: {num_bits}")
    graph = Graph()
    with graph.as_default():
        import_graph_def(input_graph, name="")
        first_new = len(graph.get_operations())
        converted: dict[str, object] = {}
        rewired: dict[tuple[str, int], str] = {}
        added: list = []
        for consumer, index, producer, found in _edges(graph):
            q = converted.get(producer.name)
            if q is None:
                q = converted[producer.name] = _quantize(producer, num_bits, found, added)
            rewired[(consumer.name, index)] = q.op.name  # type: ignore[attr-defined]
        save, restore_all = _save_op(graph)
        assigns = _restore_ops(save, added) if save is not None else []
        new = {op.name for op in graph.get_operations()[first_new:]}
    out = graph.as_graph_def()
    for node in out.node:
        if node.name in new and "_class" in node.attr:
            del node.attr["_class"]  # (TF's C++ rewrite adds no colocation attrs)
        for i in range(len(node.input)):
            source = rewired.get((node.name, i))
            if source is not None:
                node.input[i] = source
    if save is not None:
        _wire_saver(out, save, restore_all, added, assigns)
    return out
