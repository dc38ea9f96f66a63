"""The `checkpoint` file of a checkpoint directory: a text-format `CheckpointState`.

    model_checkpoint_path: "model-3"
    all_model_checkpoint_paths: "model-2"
    all_model_checkpoint_paths: "model-3"

Path rules (as TensorFlow applies them): when the directory is given as a relative
path, relative checkpoint paths are stored relative to that directory; absolute
paths are stored as they are (or made relative with `save_relative_paths=True`).
On read, relative paths are joined to the directory holding the file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from tfgraph import proto
from tfgraph.io.atomic import atomic_write
from tfgraph.io.gfile import local_path

__all__ = ["checkpoint_exists", "latest_checkpoint", "read_state", "write_state"]

_log = logging.getLogger(__name__)

DEFAULT_FILENAME = "checkpoint"


def read_state(dirname: str | os.PathLike, latest_filename: str = DEFAULT_FILENAME) -> Any:
    """The `CheckpointState` stored in `dirname/latest_filename`, or None.

    Relative paths in the file are returned joined to `dirname`.

    Returns:
        A `tfgraph.proto.CheckpointState`, or None when the file does not exist or
        cannot be parsed (a warning is logged, as TF does).

    Raises:
        ValueError: if the file names no `model_checkpoint_path`.
    """
    dirname = os.fsdecode(dirname)  # (a file:// URL stays one in the paths returned)
    path = os.path.join(local_path(dirname), latest_filename or DEFAULT_FILENAME)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None
    state = proto.CheckpointState()
    try:
        proto.text_format.Merge(text, state)
    except proto.text_format.ParseError as exc:
        _log.warning("%s: Checkpoint ignored (%s)", path, exc)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {dirname}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(dirname, state.model_checkpoint_path)
    for i, p in enumerate(state.all_model_checkpoint_paths):
        if not os.path.isabs(p):
            state.all_model_checkpoint_paths[i] = os.path.join(dirname, p)
    return state


def _stored_path(path: str, save_dir: str, save_relative_paths: bool) -> str:
    if save_relative_paths:
        return os.path.relpath(path, save_dir) if os.path.isabs(path) else path
    if not os.path.isabs(save_dir) and not os.path.isabs(path):
        return os.path.relpath(path, save_dir)
    return path


def write_state(
    save_dir: str | os.PathLike,
    model_checkpoint_path: str,
    all_model_checkpoint_paths: Sequence[str] | None = None,
    latest_filename: str = DEFAULT_FILENAME,
    all_model_checkpoint_timestamps: Sequence[float] | None = None,
    last_preserved_timestamp: float | None = None,
    save_relative_paths: bool = False,
) -> Any:
    """Atomically writes `save_dir/latest_filename` and returns the stored state.

    Args:
        save_dir: the checkpoint directory (where the file goes).
        model_checkpoint_path: prefix of the newest checkpoint, as passed to save.
        all_model_checkpoint_paths: retained prefixes, oldest first; the newest is
            appended when it is not already last.
        latest_filename: the state file's name.
        all_model_checkpoint_timestamps: optional seconds-since-epoch per prefix.
        last_preserved_timestamp: optional time of the last preserved checkpoint.
        save_relative_paths: store absolute paths relative to `save_dir`.

    Raises:
        ValueError: if the timestamps do not match the paths one to one, or the
            state file would be the checkpoint itself.
    """
    save_dir = os.fsdecode(save_dir)  # (as TF: a file:// URL is no absolute path)
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps is not None and len(all_model_checkpoint_timestamps) != len(
        paths
    ):
        raise ValueError(
            f"Checkpoint timestamps, if provided, must match checkpoint paths "
            f"({len(all_model_checkpoint_timestamps)} vs {len(paths)})"
        )
    filename = os.path.join(local_path(save_dir), latest_filename or DEFAULT_FILENAME)
    if os.path.abspath(filename) == os.path.abspath(model_checkpoint_path):
        raise ValueError(
            f"Save path '{model_checkpoint_path}' conflicts with the checkpoint state file "
            f"{filename}; use a different save path."
        )
    state = proto.CheckpointState(
        model_checkpoint_path=_stored_path(model_checkpoint_path, save_dir, save_relative_paths),
        all_model_checkpoint_paths=[_stored_path(p, save_dir, save_relative_paths) for p in paths],
    )
    if all_model_checkpoint_timestamps is not None:
        state.all_model_checkpoint_timestamps.extend(all_model_checkpoint_timestamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    os.makedirs(local_path(save_dir) or ".", exist_ok=True)
    atomic_write(filename, proto.text_format.MessageToString(state).encode("utf-8"))
    return state


def checkpoint_exists(prefix: str | os.PathLike) -> bool:
    """True when the V2 checkpoint `prefix` exists (its `.index` file does)."""
    return os.path.isfile(f"{local_path(prefix)}.index")


def latest_checkpoint(
    checkpoint_dir: str | os.PathLike, latest_filename: str = DEFAULT_FILENAME
) -> str | None:
    """The newest checkpoint prefix recorded in `checkpoint_dir`, if it still exists."""
    state = read_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    if checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None
