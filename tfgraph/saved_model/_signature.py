"""TensorInfo and SignatureDef helpers behind `tf.saved_model.utils` and
`tf.saved_model.signature_def_utils` (TF1 SavedModels)."""

from __future__ import annotations

from collections.abc import Mapping

from tfgraph import errors
from tfgraph.framework import dtypes
from tfgraph.framework.graph import Operation, Tensor, get_default_graph
from tfgraph.framework.meta_graph import prepend_name_scope
from tfgraph.framework.sparse_tensor import SparseTensor
from tfgraph.framework.tensor_shape import TensorShape
from tfgraph.saved_model import signature_constants as sc

_DT_STRING = dtypes.string.as_datatype_enum
_DT_FLOAT = dtypes.float32.as_datatype_enum


def _proto():
    from tfgraph import proto

    return proto


def _check_graph_mode(what: str) -> None:
    from tfgraph.eager.context import executing_eagerly

    if executing_eagerly():
        raise RuntimeError(f"`{what}` is not supported in eager execution.")


def build_tensor_info(tensor):
    """The `TensorInfo` naming `tensor` (its dtype and static shape; a `SparseTensor`
    by its three component tensors)."""
    _check_graph_mode("build_tensor_info")
    info = _proto().TensorInfo(
        dtype=dtypes.as_dtype(tensor.dtype).as_datatype_enum,
        tensor_shape=tensor.get_shape().as_proto(),
    )
    if isinstance(tensor, SparseTensor):
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
    else:
        info.name = tensor.name
    return info


def build_tensor_info_from_op(op: Operation):
    """A `TensorInfo` naming an operation (dtype DT_INVALID, unknown shape)."""
    _check_graph_mode("build_tensor_info_from_op")
    return _proto().TensorInfo(
        dtype=0,  # DT_INVALID
        tensor_shape=TensorShape(None).as_proto(),
        name=op.name,
    )


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The tensor (or `SparseTensor`) of `graph` that `tensor_info` names.

    Raises:
        KeyError: if it names a tensor the graph lacks.
        ValueError: if the TensorInfo has no encoding tfgraph reads.
    """
    graph = graph or get_default_graph()

    def tensor(name):
        return graph.get_tensor_by_name(prepend_name_scope(name, import_scope))

    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return tensor(tensor_info.name)
    if encoding == "coo_sparse":
        coo = tensor_info.coo_sparse
        return SparseTensor(
            tensor(coo.indices_tensor_name),
            tensor(coo.values_tensor_name),
            tensor(coo.dense_shape_tensor_name),
        )
    raise ValueError(
        f"Invalid TensorInfo.encoding: {encoding}. Expected `coo_sparse` or `name` for a "
        "dense tensor (composite_tensor encodings are TF2 SavedModels', which tfgraph "
        "does not read)."
    )


def get_element_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The tensor or operation of `graph` that `tensor_info.name` names."""
    graph = graph or get_default_graph()
    return graph.as_graph_element(prepend_name_scope(tensor_info.name, import_scope))


def build_signature_def(inputs=None, outputs=None, method_name=None, defaults=None):
    """A `SignatureDef` from maps of names to `TensorInfo`s (`defaults`: names to
    constant tensors, stored as their TensorProtos)."""
    sig = _proto().SignatureDef()
    for key in inputs or {}:
        sig.inputs[key].CopyFrom(inputs[key])
    for key in outputs or {}:
        sig.outputs[key].CopyFrom(outputs[key])
    if method_name is not None:
        sig.method_name = method_name
    for arg_name, default in (defaults or {}).items():
        if not isinstance(default, Tensor) or default.op.type != "Const":
            raise ValueError(
                f"Unable to convert object {default} of type {type(default)} to TensorProto."
            )
        sig.defaults[arg_name].CopyFrom(default.op.get_attr("value"))
    return sig


def _infos(tensors: Mapping) -> dict:
    return {key: build_tensor_info(t) for key, t in tensors.items()}


def predict_signature_def(inputs, outputs):
    """A Predict `SignatureDef` (method `tensorflow/serving/predict`) over named tensors.

    Raises:
        ValueError: if `inputs` or `outputs` is None or empty.
    """
    if not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def(_infos(inputs), _infos(outputs), sc.PREDICT_METHOD_NAME)


def _string_examples(kind: str, examples):
    if examples is None:
        raise ValueError(f"{kind} `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError(
            f"Expected {kind.lower()} `examples` to be of type Tensor. Found `examples` of "
            f"type {type(examples)}."
        )
    info = build_tensor_info(examples)
    if info.dtype != _DT_STRING:
        raise ValueError(
            f"{kind} input tensors must be of type string. Found tensors with type {info.dtype}."
        )
    return info


def regression_signature_def(examples, predictions):
    """A Regress `SignatureDef`: string `examples` in, float `predictions` out."""
    inputs = {sc.REGRESS_INPUTS: _string_examples("Regression", examples)}
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    out = build_tensor_info(predictions)
    if out.dtype != _DT_FLOAT:
        raise ValueError(
            f"Regression output tensors must be of type float. Found tensors with type {out.dtype}."
        )
    return build_signature_def(inputs, {sc.REGRESS_OUTPUTS: out}, sc.REGRESS_METHOD_NAME)


def classification_signature_def(examples, classes, scores):
    """A Classify `SignatureDef`: string `examples` in; string `classes` and/or float
    `scores` out."""
    inputs = {sc.CLASSIFY_INPUTS: _string_examples("Classification", examples)}
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    outputs = {}
    if classes is not None:
        info = build_tensor_info(classes)
        if info.dtype != _DT_STRING:
            raise ValueError(
                "Classification classes must be of type string Tensor. Found tensors of "
                f"type {info.dtype}."
            )
        outputs[sc.CLASSIFY_OUTPUT_CLASSES] = info
    if scores is not None:
        info = build_tensor_info(scores)
        if info.dtype != _DT_FLOAT:
            raise ValueError("Classification scores must be a float Tensor.")
        outputs[sc.CLASSIFY_OUTPUT_SCORES] = info
    return build_signature_def(inputs, outputs, sc.CLASSIFY_METHOD_NAME)


def _supervised_signature_def(method_name, inputs, loss=None, predictions=None, metrics=None):
    if not inputs:
        raise ValueError(f"{method_name} `inputs` cannot be None or empty.")
    outputs: dict = {}
    for group in (loss, predictions, metrics):
        if group is not None:
            outputs.update(_infos(group))
    return build_signature_def(_infos(inputs), outputs, method_name)


def supervised_train_signature_def(inputs, loss, predictions=None, metrics=None):
    return _supervised_signature_def(
        sc.SUPERVISED_TRAIN_METHOD_NAME, inputs, loss, predictions, metrics
    )


def supervised_eval_signature_def(inputs, loss, predictions=None, metrics=None):
    return _supervised_signature_def(
        sc.SUPERVISED_EVAL_METHOD_NAME, inputs, loss, predictions, metrics
    )


def _is_valid_predict(sig) -> bool:
    return sig.method_name == sc.PREDICT_METHOD_NAME and bool(sig.inputs) and bool(sig.outputs)


def _is_valid_regress(sig) -> bool:
    return (
        sig.method_name == sc.REGRESS_METHOD_NAME
        and set(sig.inputs) == {sc.REGRESS_INPUTS}
        and sig.inputs[sc.REGRESS_INPUTS].dtype == _DT_STRING
        and set(sig.outputs) == {sc.REGRESS_OUTPUTS}
        and sig.outputs[sc.REGRESS_OUTPUTS].dtype == _DT_FLOAT
    )


def _is_valid_classify(sig) -> bool:
    if sig.method_name != sc.CLASSIFY_METHOD_NAME:
        return False
    if set(sig.inputs) != {sc.CLASSIFY_INPUTS}:
        return False
    if sig.inputs[sc.CLASSIFY_INPUTS].dtype != _DT_STRING:
        return False
    allowed = {sc.CLASSIFY_OUTPUT_CLASSES: _DT_STRING, sc.CLASSIFY_OUTPUT_SCORES: _DT_FLOAT}
    if not sig.outputs or set(sig.outputs) - set(allowed):
        return False
    return all(sig.outputs[k].dtype == allowed[k] for k in sig.outputs)


def is_valid_signature(signature_def) -> bool:
    """Whether `signature_def` is a well-formed Classify, Regress or Predict signature."""
    if signature_def is None:
        return False
    return (
        _is_valid_classify(signature_def)
        or _is_valid_regress(signature_def)
        or _is_valid_predict(signature_def)
    )


def op_signature_def(op, key):
    """The SignatureDef that stores an init or train op under a reserved key."""
    return build_signature_def(outputs={key: build_tensor_info_from_op(op)})


def load_op_from_signature_def(signature_def, key, import_scope=None):
    """The op that `op_signature_def` stored under `key`."""
    try:
        return get_element_from_tensor_info(signature_def.outputs[key], import_scope=import_scope)
    except KeyError:
        raise errors.NotFoundError(
            None,
            None,
            f'The key "{key}" could not be found in the graph. Please make sure the '
            "SavedModel was created by the internal _SavedModelBuilder. If you are using "
            f"the public API, please make sure the SignatureDef in the SavedModel does not "
            f'contain the key "{key}".',
        ) from None
