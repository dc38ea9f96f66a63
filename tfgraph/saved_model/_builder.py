"""`SavedModelBuilder` (TF1): writes `saved_model.pb`, `variables/` and `assets/`.

A SavedModel is a `SavedModel` proto (schema version 1) holding tagged MetaGraphDefs,
plus one V2 checkpoint `variables/variables.{index,data-*}` that the first meta graph's
session writes, and the asset files its graphs name (copied into `assets/`). The first
meta graph is added with `add_meta_graph_and_variables`, later ones with
`add_meta_graph`; each is exported through a sharded V2 Saver over all saveable
objects, as TF does, so TF's loader reads what this writes and the other way round.
"""

from __future__ import annotations

import os

from tfgraph.framework import dtypes
from tfgraph.framework.graph import Operation, Tensor, add_to_collection, get_collection
from tfgraph.io import atomic, gfile
from tfgraph.saved_model import _signature
from tfgraph.saved_model import constants as c


def _proto():
    from tfgraph import proto

    return proto


def _saver(saver):
    if saver:
        return saver
    from tfgraph.training import saver as saver_lib

    return saver_lib.Saver(
        saver_lib._all_saveable_objects(), sharded=True, write_version=2, allow_empty=True
    )


def _asset_path(path_tensor) -> bytes:
    if not isinstance(path_tensor, Tensor):
        raise TypeError(f"Asset path tensor {path_tensor} must be a Tensor.")
    if path_tensor.op.type != "Const":
        raise TypeError(
            f"Asset path tensor {path_tensor} must be of type constant. Has type "
            f"{path_tensor.op.type} instead."
        )
    if path_tensor.dtype != dtypes.string:
        raise TypeError(
            f"Asset path tensor {path_tensor} must be of dtype string. Has type "
            f"{path_tensor.dtype} instead."
        )
    values = path_tensor.op.get_attr("value").string_val
    if len(values) != 1:
        raise TypeError(f"Asset path tensor {path_tensor} must be a scalar.")
    return bytes(values[0])


def _unique_asset_name(source: bytes, names: dict) -> bytes:
    """The basename `source` is saved under: its own unless a different file of that
    name is already there (then `name_1`, `name_2`, ... as TF does)."""
    name = os.path.basename(source)
    other = names.get(name)
    if other is None or other == source or _same_file(source, other):
        return name
    i, unique = 1, name
    while unique in names:
        unique = name + b"_" + str(i).encode()
        i += 1
    return unique


def _same_file(a: bytes, b: bytes) -> bool:
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


class SavedModelBuilder:
    """Builds a TF1 SavedModel in `export_dir` (which must not exist yet).

    builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
    with tf.Session(graph=tf.Graph()) as sess:
        ...
        builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map=...)
    builder.save()
    """

    def __init__(self, export_dir) -> None:
        export_dir = os.fspath(export_dir)
        self._saved_model = _proto().SavedModel(
            saved_model_schema_version=c.SAVED_MODEL_SCHEMA_VERSION
        )
        self._export_dir = export_dir
        if gfile.exists(export_dir):
            if gfile.listdir(export_dir):
                raise AssertionError(
                    f"Export directory {export_dir} already exists, and isn't empty. Please "
                    "choose a different export directory, or delete all the contents of the "
                    "specified directory."
                )
        else:
            gfile.makedirs(export_dir)
        self._has_saved_variables = False
        self._saved_asset_files: set = set()

    # -- validation ------------------------------------------------------------------
    def _validate_tensor_info(self, info) -> None:
        if info is None:
            raise AssertionError(
                "All TensorInfo protos used in the SignatureDefs must have the name and "
                "dtype fields set."
            )
        if info.WhichOneof("encoding") is None:
            raise AssertionError(
                f"Invalid `tensor_info`: {info}. All TensorInfo protos used in the "
                "SignatureDefs must have one of the 'encoding' fields (e.g., name or "
                "coo_sparse) set."
            )
        if info.WhichOneof("encoding") == "composite_tensor":
            for component in info.composite_tensor.components:
                self._validate_tensor_info(component)
        elif info.dtype == 0:
            raise AssertionError(
                f"Invalid `tensor_info`: {info}. All TensorInfo protos used in the "
                "SignatureDefs must have the dtype field set."
            )

    def _validate_signature_def_map(self, signature_def_map) -> None:
        for sig in signature_def_map.values():
            for info in sig.inputs.values():
                self._validate_tensor_info(info)
            for info in sig.outputs.values():
                self._validate_tensor_info(info)
        for key, what in (
            (c.INIT_OP_SIGNATURE_KEY, "initialization"),
            (c.TRAIN_OP_SIGNATURE_KEY, "the train op"),
        ):
            if key in signature_def_map:
                raise KeyError(
                    f'SignatureDef map key "{key}" is reserved for {what}. Please use a '
                    "different key."
                )

    # -- collections -----------------------------------------------------------------
    def _save_and_write_assets(self, assets_collection) -> None:
        if assets_collection is None:
            return
        names: dict[bytes, bytes] = {}
        for tensor in assets_collection:
            source = _asset_path(tensor)
            if not source:
                raise ValueError(f"Asset filepath tensor {tensor} in is invalid.")
            name = _unique_asset_name(source, names)
            asset = _proto().AssetFileDef(filename=name.decode())
            asset.tensor_info.name = tensor.name
            any_proto = _proto().message_class("google.protobuf.Any")()
            any_proto.Pack(asset)
            add_to_collection(c.ASSETS_KEY, any_proto)
            names[name] = source
        if not names:
            return
        assets_dir = os.path.join(self._export_dir, c.ASSETS_DIRECTORY)
        gfile.makedirs(assets_dir)
        for name, source in names.items():
            dest = os.path.join(assets_dir, name.decode())
            if os.path.exists(source) and source.decode() != dest:
                if dest not in self._saved_asset_files:
                    gfile.copy(source.decode(), dest, overwrite=True)
                    self._saved_asset_files.add(dest)

    def _maybe_add_main_op(self, main_op) -> None:
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(
                f"Expected {main_op} to be an Operation but got type {type(main_op)} instead."
            )
        for key in (c.MAIN_OP_KEY, c.LEGACY_INIT_OP_KEY):
            if get_collection(key):
                raise ValueError(
                    f"Graph already contains one or more main ops under the collection {key}."
                )
        add_to_collection(c.MAIN_OP_KEY, main_op)

    def _add_collections(self, assets_collection, main_op) -> None:
        self._save_and_write_assets(assets_collection)
        self._maybe_add_main_op(main_op)

    def _tag_and_add_meta_graph(self, meta_graph_def, tags, signature_def_map) -> None:
        for tag in tags:
            meta_graph_def.meta_info_def.tags.append(tag)
        for key, sig in signature_def_map.items():
            meta_graph_def.signature_def[key].CopyFrom(sig)
        self._saved_model.meta_graphs.add().CopyFrom(meta_graph_def)

    # -- public API ------------------------------------------------------------------
    def add_meta_graph(
        self,
        tags,
        signature_def_map=None,
        assets_collection=None,
        legacy_init_op=None,
        clear_devices=False,
        main_op=None,
        strip_default_attrs=False,
        saver=None,
    ) -> None:
        """Adds the default graph as another meta graph (variables already saved)."""
        if not self._has_saved_variables:
            raise AssertionError(
                "Graph state including variables and assets has not been saved yet. Please "
                "invoke `add_meta_graph_and_variables()` first."
            )
        signature_def_map = dict(signature_def_map or {})
        self._validate_signature_def_map(signature_def_map)
        self._add_collections(assets_collection, main_op if main_op is not None else legacy_init_op)
        meta_graph_def = _saver(saver).export_meta_graph(
            clear_devices=clear_devices, strip_default_attrs=strip_default_attrs
        )
        self._tag_and_add_meta_graph(meta_graph_def, tags, signature_def_map)

    def add_meta_graph_and_variables(
        self,
        sess,
        tags,
        signature_def_map=None,
        assets_collection=None,
        legacy_init_op=None,
        clear_devices=False,
        main_op=None,
        strip_default_attrs=False,
        saver=None,
    ) -> None:
        """Adds the session's graph as the first meta graph and saves its variables."""
        if self._has_saved_variables:
            raise AssertionError(
                "Graph state including variables and assets has already been saved. Please "
                "invoke `add_meta_graph()` instead."
            )
        signature_def_map = dict(signature_def_map or {})
        self._validate_signature_def_map(signature_def_map)
        self._add_collections(assets_collection, main_op or legacy_init_op)
        variables_dir = os.path.join(self._export_dir, c.VARIABLES_DIRECTORY)
        gfile.makedirs(variables_dir)
        saver = _saver(saver)
        saver.save(
            sess,
            os.path.join(variables_dir, c.VARIABLES_FILENAME),
            write_meta_graph=False,
            write_state=False,
        )
        meta_graph_def = saver.export_meta_graph(
            clear_devices=clear_devices, strip_default_attrs=strip_default_attrs
        )
        self._tag_and_add_meta_graph(meta_graph_def, tags, signature_def_map)
        self._has_saved_variables = True

    def save(self, as_text: bool = False) -> bytes:
        """Writes `saved_model.pb` (or `saved_model.pbtxt` with `as_text`); returns its
        path as bytes, as TF does."""
        gfile.makedirs(self._export_dir)
        if as_text:
            path = os.path.join(self._export_dir, c.SAVED_MODEL_FILENAME_PBTXT)
            atomic.atomic_write(path, str(self._saved_model).encode())
        else:
            path = os.path.join(self._export_dir, c.SAVED_MODEL_FILENAME_PB)
            atomic.atomic_write(path, self._saved_model.SerializeToString(deterministic=True))
        return path.encode()


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None) -> None:
    """Saves `session`'s graph and variables as a SavedModel for TF Serving: one meta
    graph tagged "serve" whose "serving_default" Predict signature maps `inputs` to
    `outputs`; assets from the ASSET_FILEPATHS collection; devices cleared."""
    from tfgraph.framework.graph import GraphKeys
    from tfgraph.saved_model import signature_constants, tag_constants

    signature_def_map = {
        signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: _signature.predict_signature_def(
            inputs, outputs
        )
    }
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session,
        tags=[tag_constants.SERVING],
        signature_def_map=signature_def_map,
        assets_collection=get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op,
        clear_devices=True,
    )
    builder.save()
