"""`tf.saved_model.loader.load` (TF1): imports a tagged meta graph of a SavedModel
into a session's graph, restores its variables and runs its init op."""

from __future__ import annotations

import logging
import os

from tfgraph.framework.graph import get_collection
from tfgraph.io import gfile
from tfgraph.saved_model import _signature
from tfgraph.saved_model import constants as c

_log = logging.getLogger("tfgraph")


def _proto():
    from tfgraph import proto

    return proto


def _join(export_dir, name: str) -> str:
    return os.path.join(os.fsdecode(export_dir), name)


def parse_saved_model(export_dir):
    """The `SavedModel` proto of `export_dir` (from saved_model.pb, else .pbtxt).

    Raises:
        OSError: if neither file exists or the one found does not parse.
    """
    from google.protobuf import message, text_format

    pb, pbtxt = (
        _join(export_dir, c.SAVED_MODEL_FILENAME_PB),
        _join(export_dir, c.SAVED_MODEL_FILENAME_PBTXT),
    )
    saved_model = _proto().SavedModel()
    if gfile.exists(pb):
        with open(pb, "rb") as f:
            data = f.read()
        try:
            saved_model.ParseFromString(data)
        except message.DecodeError as e:
            raise OSError(f"Cannot parse file {pb}: {e}.") from e
    elif gfile.exists(pbtxt):
        with open(pbtxt, encoding="utf-8") as f:
            text = f.read()
        try:
            text_format.Parse(text, saved_model, descriptor_pool=_proto().get_pool())
        except text_format.ParseError as e:
            raise OSError(f"Cannot parse file {pbtxt}: {e}.") from e
    else:
        raise OSError(
            f"SavedModel file does not exist at: {os.fspath(export_dir)}{os.path.sep}"
            f"{{{c.SAVED_MODEL_FILENAME_PBTXT}|{c.SAVED_MODEL_FILENAME_PB}}}"
        )
    return saved_model


def maybe_saved_model_directory(export_dir) -> bool:
    """Whether `export_dir` holds a saved_model.pb/.pbtxt/.cpb (it may still not load;
    path-like objects accepted). TF1's `contains_saved_model` is this function."""
    export_dir = os.fspath(export_dir)
    names = (c.SAVED_MODEL_FILENAME_PBTXT, c.SAVED_MODEL_FILENAME_PB, c.SAVED_MODEL_FILENAME_CPB)
    return any(gfile.exists(_join(export_dir, n)) for n in names)


contains_saved_model = maybe_saved_model_directory


def get_asset_tensors(export_dir, meta_graph_def, import_scope=None) -> dict:
    """Asset tensor names -> their files' paths under `export_dir/assets`."""
    if meta_graph_def.asset_file_def:
        assets = list(meta_graph_def.asset_file_def)
    elif c.ASSETS_KEY in meta_graph_def.collection_def:
        assets = []
        for any_proto in meta_graph_def.collection_def[c.ASSETS_KEY].any_list.value:
            asset = _proto().AssetFileDef()
            any_proto.Unpack(asset)
            assets.append(asset)
    else:
        assets = []
    assets_dir = _join(export_dir, c.ASSETS_DIRECTORY)
    out = {}
    for asset in assets:
        name = asset.tensor_info.name
        if import_scope:
            name = f"{import_scope}/{name}"
        out[name] = os.path.join(assets_dir, asset.filename)
    return out


def _op_from_collection(meta_graph_def, key):
    if key not in meta_graph_def.collection_def:
        return None
    ops = meta_graph_def.collection_def[key].node_list.value
    if len(ops) != 1:
        raise RuntimeError(f"Expected exactly one SavedModel init op. Found {len(ops)}: {ops}.")
    return get_collection(key)[0]


def _op_from_signature_def(meta_graph_def, key, import_scope):
    if key in meta_graph_def.signature_def:
        return _signature.load_op_from_signature_def(
            meta_graph_def.signature_def[key], key, import_scope
        )
    return None


def get_init_op(meta_graph_def, import_scope=None):
    """The init op to run after restoring: from the reserved signature, else the main
    op or legacy init op collection."""
    return (
        _op_from_signature_def(meta_graph_def, c.INIT_OP_SIGNATURE_KEY, import_scope)
        or _op_from_collection(meta_graph_def, c.MAIN_OP_KEY)
        or _op_from_collection(meta_graph_def, c.LEGACY_INIT_OP_KEY)
    )


def get_train_op(meta_graph_def, import_scope=None):
    """The train op a SavedModel stored (reserved signature or collection), or None."""
    op = _op_from_signature_def(meta_graph_def, c.TRAIN_OP_SIGNATURE_KEY, import_scope)
    return op if op is not None else _op_from_collection(meta_graph_def, c.TRAIN_OP_KEY)


class SavedModelLoader:
    """Loads the graphs of one SavedModel and restores its variables into sessions."""

    def __init__(self, export_dir) -> None:
        self._export_dir = export_dir
        self._variables_path = os.path.join(
            os.fsdecode(export_dir), c.VARIABLES_DIRECTORY, c.VARIABLES_FILENAME
        )
        self._saved_model = parse_saved_model(export_dir)

    @property
    def export_dir(self):
        return self._export_dir

    @property
    def variables_path(self) -> str:
        return self._variables_path

    @property
    def saved_model(self):
        return self._saved_model

    def get_meta_graph_def_from_tags(self, tags):
        """The MetaGraphDef whose tag set equals `tags`.

        Raises:
            RuntimeError: when no meta graph has exactly these tags.
        """
        available = []
        for meta_graph_def in self._saved_model.meta_graphs:
            have = set(meta_graph_def.meta_info_def.tags)
            available.append(have)
            if have == set(tags):
                return meta_graph_def
        raise RuntimeError(
            f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in "
            f"SavedModel, with available tags '{available}'. To inspect available tag-sets in "
            "the SavedModel, please use the SavedModel CLI: `saved_model_cli`."
        )

    def load_graph(self, graph, tags, import_scope=None, **saver_kwargs):
        """Imports the tagged meta graph into `graph`; returns (saver, return elements)."""
        from tfgraph.training import saver as saver_lib

        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            return saver_lib._import_meta_graph_with_return_elements(
                meta_graph_def, import_scope=import_scope, **saver_kwargs
            )

    def restore_variables(self, sess, saver, import_scope=None) -> None:
        """Restores the SavedModel's variables with `saver`.

        Raises:
            ValueError: if `saver` is None but the graph has variables.
        """
        from tfgraph.training import saver as saver_lib

        with sess.graph.as_default():
            if saver is None and not saver_lib._all_saveable_objects(scope=import_scope):
                _log.info(
                    "The specified SavedModel has no variables; no checkpoints were restored."
                )
            elif isinstance(saver, saver_lib.Saver):
                saver.restore(sess, self._variables_path)
            else:
                raise ValueError(
                    "No tf.train.Saver object was passed to the function "
                    "`SavedModelLoader.restore_variables`. Since there are variables in the "
                    "graph, a saver is required."
                )

    def run_init_ops(self, sess, tags, import_scope=None) -> None:
        """Runs the meta graph's init op, feeding asset tensors their files' paths."""
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with sess.graph.as_default():
            assets = get_asset_tensors(self._export_dir, meta_graph_def, import_scope)
            init_op = get_init_op(meta_graph_def, import_scope)
            if init_op is not None:
                sess.run(fetches=[init_op], feed_dict=assets)

    def load(self, sess, tags, import_scope=None, **saver_kwargs):
        """Imports, restores and initialises; returns the loaded MetaGraphDef."""
        with sess.graph.as_default():
            saver, _ = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
            self.restore_variables(sess, saver, import_scope)
            self.run_init_ops(sess, tags, import_scope)
        return self.get_meta_graph_def_from_tags(tags)


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """Loads the meta graph of `export_dir` tagged `tags` into `sess` (graph, variable
    values, init op) and returns its MetaGraphDef.

    Raises:
        RuntimeError: if no meta graph has exactly the tags `tags`.
        OSError: if `export_dir` holds no SavedModel.
    """
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)
