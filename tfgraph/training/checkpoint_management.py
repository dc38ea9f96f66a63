"""Finding, listing and removing checkpoints (TF1 `tf.train.latest_checkpoint`,
`get_checkpoint_state`, `update_checkpoint_state`, `checkpoint_exists`, ...).

The `checkpoint` state file is read and written by `tfgraph.io.checkpoint_state`
(text-format `CheckpointState`, written atomically). A V2 checkpoint exists when
`PREFIX.index` exists; prefixes may be glob patterns, as in TF.
"""

from __future__ import annotations

import glob
import logging
import os

from tfgraph import proto
from tfgraph.io import checkpoint_state as _state

__all__ = [
    "checkpoint_exists",
    "generate_checkpoint_state_proto",
    "get_checkpoint_mtimes",
    "get_checkpoint_state",
    "latest_checkpoint",
    "meta_graph_filename",
    "remove_checkpoint",
    "update_checkpoint_state",
    "update_checkpoint_state_internal",
]

_log = logging.getLogger("tfgraph")

_V1 = 1
_V2 = 2


def _path(p) -> str:
    p = os.fspath(p)
    return p.decode() if isinstance(p, bytes) else p


def _matching(pattern: str) -> list[str]:
    """The files `pattern` (a path or glob, maybe a file:// URL) names on disk."""
    from tfgraph.io.gfile import local_path

    pattern = local_path(pattern)
    if glob.has_magic(pattern):
        return sorted(glob.glob(pattern))
    return [pattern] if os.path.exists(pattern) else []


def _prefix_to_checkpoint_path(prefix: str, format_version: int) -> str:
    return prefix + ".index" if format_version == _V2 else prefix


def generate_checkpoint_state_proto(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
):
    """A `CheckpointState` proto (paths made relative to `save_dir` when it is relative).

    Raises:
        ValueError: if timestamps are given but do not match the paths one to one.
    """
    save_dir = _path(save_dir)
    model_checkpoint_path = _path(model_checkpoint_path)
    paths = [_path(p) for p in (all_model_checkpoint_paths or [])]
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps is not None and len(all_model_checkpoint_timestamps) != len(
        paths
    ):
        raise ValueError(
            "Checkpoint timestamps, if provided, must match checkpoint paths (got paths "
            f"{paths} and timestamps {list(all_model_checkpoint_timestamps)})"
        )
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = proto.CheckpointState(
        model_checkpoint_path=model_checkpoint_path, all_model_checkpoint_paths=paths
    )
    if all_model_checkpoint_timestamps is not None:
        state.all_model_checkpoint_timestamps.extend(all_model_checkpoint_timestamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state_internal(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    latest_filename=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
    save_relative_paths: bool = False,
) -> None:
    """Atomically writes the `checkpoint` state file in `save_dir`.

    Args:
        save_dir: the checkpoint directory.
        model_checkpoint_path: prefix of the newest checkpoint.
        all_model_checkpoint_paths: retained prefixes, oldest first (the newest is
            appended if it is not last).
        latest_filename: the state file's name (default "checkpoint").
        all_model_checkpoint_timestamps: optional creation times, one per path.
        last_preserved_timestamp: optional time of the last preserved checkpoint.
        save_relative_paths: store absolute paths relative to `save_dir`.

    Raises:
        RuntimeError: if the state file would overwrite the checkpoint itself.
        ValueError: if the timestamps do not match the paths.
    """
    save_dir = _path(save_dir)
    latest_filename = latest_filename or _state.DEFAULT_FILENAME
    state_file = os.path.join(save_dir, latest_filename)
    if os.path.abspath(state_file) == os.path.abspath(_path(model_checkpoint_path)):
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint "
            "state.  Please use a different save path."
        )
    _state.write_state(
        save_dir,
        _path(model_checkpoint_path),
        [_path(p) for p in (all_model_checkpoint_paths or [])],
        latest_filename=latest_filename,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps,
        last_preserved_timestamp=last_preserved_timestamp,
        save_relative_paths=save_relative_paths,
    )


def update_checkpoint_state(
    save_dir,
    model_checkpoint_path,
    all_model_checkpoint_paths=None,
    latest_filename=None,
    all_model_checkpoint_timestamps=None,
    last_preserved_timestamp=None,
) -> None:
    """`tf.train.update_checkpoint_state`: `update_checkpoint_state_internal` with
    absolute paths (TF's signature)."""
    update_checkpoint_state_internal(
        save_dir,
        model_checkpoint_path,
        all_model_checkpoint_paths,
        latest_filename,
        all_model_checkpoint_timestamps,
        last_preserved_timestamp,
    )


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The `CheckpointState` in `checkpoint_dir` (relative paths joined to it), or None
    if there is no readable state file.

    Raises:
        ValueError: if the state file has no `model_checkpoint_path`.
    """
    checkpoint_dir = _path(checkpoint_dir)
    try:
        return _state.read_state(checkpoint_dir, latest_filename or _state.DEFAULT_FILENAME)
    except (OSError, UnicodeDecodeError) as e:  # unreadable: ignored, as TF does
        _log.warning("%s: %s", type(e).__name__, e)
        return None


def latest_checkpoint(checkpoint_dir, latest_filename=None) -> str | None:
    """The prefix of the newest checkpoint recorded in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is not None and state.model_checkpoint_path:
        prefix = state.model_checkpoint_path
        if _matching(_prefix_to_checkpoint_path(prefix, _V2)) or _matching(prefix):
            return prefix
        _log.error("Couldn't match files for checkpoint %s", prefix)
    return None


def checkpoint_exists(checkpoint_prefix) -> bool:
    """Whether a checkpoint with this prefix exists (`PREFIX.index`, or the V1 file)."""
    prefix = _path(checkpoint_prefix)
    return bool(_matching(_prefix_to_checkpoint_path(prefix, _V2)) or _matching(prefix))


def get_checkpoint_mtimes(checkpoint_prefixes) -> list[float]:
    """Modification times (seconds since the epoch) of the checkpoints that exist."""
    mtimes = []
    for prefix in checkpoint_prefixes:
        prefix = _path(prefix)
        for pattern in (_prefix_to_checkpoint_path(prefix, _V2), prefix):
            names = _matching(pattern)
            if names:
                mtimes.append(os.stat(names[0]).st_mtime)
                break
    return mtimes


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=_V2, meta_graph_suffix="meta"):
    """Deletes a checkpoint's files: `.meta` first, then `.index`, then `.data-*`."""
    prefix = _path(checkpoint_prefix)
    _delete_if_exists(meta_graph_filename(prefix, meta_graph_suffix))
    if checkpoint_format_version == _V2:
        _delete_if_exists(prefix + ".index")
        _delete_if_exists(prefix + ".data-?????-of-?????")
    else:
        _delete_if_exists(prefix)


def _delete_if_exists(pattern: str) -> None:
    for name in _matching(pattern):
        try:
            os.remove(name)
        except FileNotFoundError:
            _log.warning(
                "Hit NotFoundError when deleting '%s', possibly because another process/thread "
                "is also deleting/moving the same file",
                name,
            )


def meta_graph_filename(checkpoint_filename, meta_graph_suffix: str = "meta") -> str:
    """`model-7` -> `model-7.meta` (a sharded spec's `-?????-of-N` suffix is dropped)."""
    import re

    basename = re.sub(r"-[\d\?]+-of-\d+$", "", _path(checkpoint_filename))
    return f"{basename}.{meta_graph_suffix}"
