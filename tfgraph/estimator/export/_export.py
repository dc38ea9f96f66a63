"""Estimator.export_saved_model: the PREDICT graph fed by a serving input receiver, its
variables restored from a checkpoint, written with SavedModelBuilder under a
timestamped directory (first as temp-<timestamp>, renamed when complete)."""

from __future__ import annotations

import os
import shutil

from tfgraph import errors
from tfgraph.estimator.export import _receivers
from tfgraph.estimator.mode_keys import ModeKeys
from tfgraph.framework.graph import Graph, GraphKeys, get_collection

__all__ = ["export_all_saved_models"]


def export_all_saved_models(
    estimator,
    export_dir_base,
    input_receiver_fn_map,
    assets_extra=None,
    as_text=False,
    checkpoint_path=None,
    strip_default_attrs=True,
):
    from tfgraph.saved_model.builder import SavedModelBuilder
    from tfgraph.training.checkpoint_management import latest_checkpoint

    if not checkpoint_path:
        checkpoint_path = latest_checkpoint(estimator.model_dir)
    if not checkpoint_path:
        settings = estimator._warm_start_settings
        if settings:
            checkpoint_path = settings.ckpt_to_initialize_from
            if os.path.isdir(checkpoint_path):
                checkpoint_path = latest_checkpoint(checkpoint_path)
        else:
            raise ValueError(f"Couldn't find trained model at {estimator.model_dir}.")
    unsupported = [m for m in (ModeKeys.TRAIN, ModeKeys.EVAL) if input_receiver_fn_map.get(m)]
    if unsupported:
        raise NotImplementedError(
            f"tfgraph exports only the PREDICT mode; got receivers for {unsupported}."
        )
    if not input_receiver_fn_map.get(ModeKeys.PREDICT):
        raise ValueError(f"No valid modes for exporting found. Got {input_receiver_fn_map.keys()}.")
    export_dir = _receivers.get_timestamped_export_dir(export_dir_base)
    temp_export_dir = _receivers.get_temp_export_dir(export_dir)
    builder = SavedModelBuilder(temp_export_dir)
    _add_meta_graph_for_mode(
        estimator,
        builder,
        input_receiver_fn_map[ModeKeys.PREDICT],
        checkpoint_path,
        strip_default_attrs,
    )
    builder.save(as_text)
    if assets_extra:
        extra_dir = os.path.join(temp_export_dir, "assets.extra")
        for dest_relative, source in assets_extra.items():
            dest = os.path.join(extra_dir, os.fsdecode(dest_relative))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(os.fsdecode(source), dest)
    os.rename(temp_export_dir, export_dir)
    return export_dir.encode()


def _add_meta_graph_for_mode(estimator, builder, receiver_fn, checkpoint_path, strip):
    from tfgraph.client.session import Session
    from tfgraph.framework import random_seed
    from tfgraph.saved_model import tag_constants
    from tfgraph.training.monitored_session import Scaffold
    from tfgraph.training.saver import Saver

    graph = Graph()
    with graph.as_default():
        estimator._create_and_assert_global_step(graph)
        random_seed.set_random_seed(estimator._config.tf_random_seed)
        receiver = receiver_fn()
        spec = estimator._call_model_fn(
            features=receiver.features,
            labels=getattr(receiver, "labels", None),
            mode=ModeKeys.PREDICT,
            config=estimator.config,
        )
        export_outputs = _receivers.get_export_outputs(spec.export_outputs, spec.predictions)
        signature_def_map = _receivers.build_all_signature_defs(
            receiver.receiver_tensors,
            export_outputs,
            getattr(receiver, "receiver_tensors_alternatives", None),
        )
        with Session(config=estimator._session_config) as session:
            if spec.scaffold.local_init_op is not None:
                local_init_op = spec.scaffold.local_init_op
            else:
                local_init_op = Scaffold.default_local_init_op()
            graph_saver = spec.scaffold.saver or Saver(sharded=True)
            try:
                graph_saver.restore(session, checkpoint_path)
            except errors.NotFoundError as e:
                raise ValueError(
                    "Could not load all requested variables from checkpoint. Please make sure "
                    "your model_fn does not expect variables that were not saved in the "
                    "checkpoint.\n\nEncountered error with mode `infer` while restoring "
                    f"checkpoint from: `{checkpoint_path}`. Full Traceback:\n\n{e}"
                ) from e
            builder.add_meta_graph_and_variables(
                session,
                tags=[tag_constants.SERVING],
                signature_def_map=signature_def_map,
                assets_collection=get_collection(GraphKeys.ASSET_FILEPATHS),
                main_op=local_init_op,
                saver=graph_saver,
                strip_default_attrs=strip,
            )
