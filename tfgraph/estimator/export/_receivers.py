"""Serving input receivers and the helpers an export uses: `ServingInputReceiver`,
`TensorServingInputReceiver`, `build_parsing_serving_input_receiver_fn`,
`build_raw_serving_input_receiver_fn`, default export outputs and signature maps."""

from __future__ import annotations

import collections
import os
import time

from tfgraph.framework.ops import Tensor
from tfgraph.platform import tf_logging as logging

__all__ = [
    "ServingInputReceiver",
    "TensorServingInputReceiver",
    "build_parsing_serving_input_receiver_fn",
    "build_raw_serving_input_receiver_fn",
]

FEATURE_DEFAULT_NAME = "feature"
RECEIVER_DEFAULT_NAME = "input"
SINGLE_RECEIVER_DEFAULT_NAME = "input"


def _is_tensor_like(value) -> bool:
    from tfgraph.framework.sparse_tensor import SparseTensor

    return isinstance(value, (Tensor, SparseTensor))


def _wrap_and_check(values, default_name, kind, plural, allow_sparse):
    if values is None:
        raise ValueError(f"{plural} must be defined.")
    if not isinstance(values, dict):
        values = {default_name: values}
    for name, tensor in values.items():
        if not isinstance(name, str):
            raise ValueError(f"{plural} keys must be strings: {name}.")
        ok = _is_tensor_like(tensor) if allow_sparse else isinstance(tensor, Tensor)
        if not ok:
            what = "a Tensor or SparseTensor" if allow_sparse else "a Tensor"
            raise ValueError(f"{kind} {name} must be {what}.")
    return values


class ServingInputReceiver(
    collections.namedtuple(
        "ServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"]
    )
):
    """The features a serving graph feeds the `model_fn`, and the placeholders
    (`receiver_tensors`) a client feeds."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        features = _wrap_and_check(features, FEATURE_DEFAULT_NAME, "feature", "feature", True)
        receiver_tensors = _wrap_and_check(
            receiver_tensors, RECEIVER_DEFAULT_NAME, "receiver_tensor", "receiver_tensors", False
        )
        if receiver_tensors_alternatives is not None:
            if not isinstance(receiver_tensors_alternatives, dict):
                raise ValueError(
                    "receiver_tensors_alternatives must be a dict: "
                    f"{receiver_tensors_alternatives}."
                )
            receiver_tensors_alternatives = {
                k: _wrap_and_check(
                    v, RECEIVER_DEFAULT_NAME, "receiver_tensor", "receiver_tensors", True
                )
                for k, v in receiver_tensors_alternatives.items()
            }
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


class TensorServingInputReceiver(
    collections.namedtuple(
        "TensorServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"],
    )
):
    """As ServingInputReceiver, but the `model_fn` gets one tensor as its features."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        if not _is_tensor_like(features):
            raise ValueError(f"feature must be a Tensor or SparseTensor: {features}.")
        receiver = ServingInputReceiver(features, receiver_tensors, receiver_tensors_alternatives)
        return super().__new__(
            cls, features, receiver.receiver_tensors, receiver.receiver_tensors_alternatives
        )


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A receiver fn taking serialized `tf.Example`s (`examples`, a string batch) and
    parsing them with `feature_spec`."""

    def serving_input_receiver_fn():
        import tfgraph as tf
        from tfgraph.framework import dtypes

        serialized = tf.placeholder(
            dtype=dtypes.string, shape=[default_batch_size], name="input_example_tensor"
        )
        features = tf.io.parse_example(serialized, feature_spec)
        return ServingInputReceiver(features, {"examples": serialized})

    return serving_input_receiver_fn


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A receiver fn with one placeholder per feature (named as the feature's op, batch
    dimension `default_batch_size`), fed to the `model_fn` as they are."""

    def serving_input_receiver_fn():
        import tfgraph as tf
        from tfgraph.framework.tensor_shape import TensorShape

        receiver_tensors = {}
        for name, t in features.items():
            shape_list = t.get_shape().as_list()
            shape_list[0] = default_batch_size
            receiver_tensors[name] = tf.placeholder(
                dtype=t.dtype, shape=TensorShape(shape_list), name=t.op.name
            )
        return ServingInputReceiver(receiver_tensors, receiver_tensors.copy())

    return serving_input_receiver_fn


# -- helpers of Estimator.export_saved_model ----------------------------------------------------
def get_export_outputs(export_outputs, predictions):
    """The export outputs of a PREDICT spec, with a default PredictOutput and the
    serving default key filled in."""
    from tfgraph.estimator.export.export_output import ExportOutput, PredictOutput
    from tfgraph.saved_model import signature_constants as sc

    if export_outputs is None:
        export_outputs = {sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY: PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
    for value in export_outputs.values():
        if not isinstance(value, ExportOutput):
            raise TypeError(
                f"Values in export_outputs must be ExportOutput objects. Given: {export_outputs}"
            )
    export_outputs = dict(export_outputs)
    if len(export_outputs) == 1:
        ((key, value),) = export_outputs.items()
        if key != sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            export_outputs[sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY] = value
    if len(export_outputs) > 1 and sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY not in export_outputs:
        raise ValueError(
            "Multiple export_outputs were provided, but none of them is specified as the "
            "default.  Do this by naming one of them with "
            "signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY."
        )
    return export_outputs


def build_all_signature_defs(receiver_tensors, export_outputs, alternatives=None):
    """One SignatureDef per export output (those that do not fit the receiver tensors
    are left out, with a log line), serving methods only."""
    from tfgraph.saved_model import signature_constants as sc
    from tfgraph.saved_model import signature_def_utils

    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {SINGLE_RECEIVER_DEFAULT_NAME: receiver_tensors}
    if export_outputs is None or not isinstance(export_outputs, dict):
        raise ValueError(f"export_outputs must be a dict and not{type(export_outputs)}")
    signatures = {}
    for key, output in export_outputs.items():
        name = f"{key or 'None'}"
        try:
            signatures[name] = output.as_signature_def(receiver_tensors)
        except ValueError as e:
            logging.warning("Export includes no signature for %s: %s", name, e)
    for receiver_name, tensors in (alternatives or {}).items():
        for key, output in export_outputs.items():
            name = f"{key or 'None'}:{receiver_name}"
            try:
                signatures[name] = output.as_signature_def(tensors)
            except ValueError as e:
                logging.warning("Export includes no signature for %s: %s", name, e)
    serving = (sc.PREDICT_METHOD_NAME, sc.CLASSIFY_METHOD_NAME, sc.REGRESS_METHOD_NAME)
    return {
        k: v
        for k, v in signatures.items()
        if signature_def_utils.is_valid_signature(v) and v.method_name in serving
    }


def get_timestamped_export_dir(export_dir_base):
    """`export_dir_base/<seconds since the epoch>`, waiting for an unused second."""
    for _ in range(10):
        export_dir = os.path.join(os.fsdecode(export_dir_base), str(int(time.time())))
        if not os.path.exists(export_dir):
            return export_dir
        time.sleep(1)
        logging.warning("Directory %s already exists; retrying (attempt %d/%d)", export_dir, 1, 10)
    raise RuntimeError("Failed to obtain a unique export directory name after 10 attempts.")


def get_temp_export_dir(timestamped_export_dir):
    head, tail = os.path.split(timestamped_export_dir)
    return os.path.join(head, "temp-" + tail)
