"""`tf.saved_model.signature_def_utils.MethodNameUpdater`: rewrites the method names of
an existing SavedModel's signatures."""

from __future__ import annotations

import os

from tfgraph.io import atomic
from tfgraph.saved_model import constants as c
from tfgraph.saved_model._loader import parse_saved_model


class MethodNameUpdater:
    """Changes `method_name` of signatures of a SavedModel and writes it back.

    updater = MethodNameUpdater(export_dir)
    updater.replace_method_name("serving_default", "tensorflow/serving/regress")
    updater.save()
    """

    def __init__(self, export_dir) -> None:
        self._export_dir = os.fspath(export_dir)
        self._saved_model = parse_saved_model(self._export_dir)

    def replace_method_name(self, signature_key, method_name, tags=None) -> None:
        """Sets `method_name` on signature `signature_key` of the meta graphs tagged
        `tags` (all meta graphs when None).

        Raises:
            ValueError: if an argument is missing, or no meta graph matches `tags`.
        """
        if not signature_key:
            raise ValueError("`signature_key` must be defined.")
        if not method_name:
            raise ValueError("`method_name` must be defined.")
        if tags is not None and not isinstance(tags, list):
            tags = [tags]
        found = False
        for meta_graph_def in self._saved_model.meta_graphs:
            if tags is None or set(tags) == set(meta_graph_def.meta_info_def.tags):
                if signature_key not in meta_graph_def.signature_def:
                    raise ValueError(
                        f"MetaGraphDef associated with tags {tags} does not have a signature_def "
                        f"with key: '{signature_key}'. This means either you specified the wrong "
                        "signature key or forgot to put the signature_def with the corresponding "
                        "key in your SavedModel."
                    )
                meta_graph_def.signature_def[signature_key].method_name = method_name
                found = True
        if not found:
            raise ValueError(
                f"MetaGraphDef associated with tags {tags} could not be found in SavedModel. "
                "This means either you specified invalid tags or your SavedModel does not have "
                "a MetaGraphDef with the specified tags."
            )

    def save(self, new_export_dir=None) -> None:
        """Writes the updated SavedModel proto over the input's (or into
        `new_export_dir`), in text format when the input was saved_model.pbtxt."""
        export_dir = os.fspath(new_export_dir) if new_export_dir else self._export_dir
        if os.path.exists(os.path.join(self._export_dir, c.SAVED_MODEL_FILENAME_PBTXT)):
            path = os.path.join(export_dir, c.SAVED_MODEL_FILENAME_PBTXT)
            atomic.atomic_write(path, str(self._saved_model).encode())
        else:
            path = os.path.join(export_dir, c.SAVED_MODEL_FILENAME_PB)
            atomic.atomic_write(path, self._saved_model.SerializeToString(deterministic=True))
