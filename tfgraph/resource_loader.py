"""`tf.resource_loader`: paths of data files that sit beside the calling script."""

from __future__ import annotations

import inspect
import os

__all__ = [
    "get_data_files_path",
    "get_path_to_datafile",
    "get_root_dir_with_all_resources",
    "load_resource",
    "readahead_file_path",
]


def _caller_dir(depth: int) -> str:
    frame = inspect.stack()[depth]
    return os.path.dirname(os.path.abspath(frame.filename))


def get_data_files_path() -> str:
    """The directory of the script that calls this."""
    return _caller_dir(2)


def get_root_dir_with_all_resources() -> str:
    """The directory holding the calling script's data files (its own directory: tfgraph
    has no Bazel runfiles tree)."""
    return _caller_dir(2)


def get_path_to_datafile(path: str) -> str:
    """`path` resolved against the calling script's directory."""
    return os.path.join(_caller_dir(2), path)


def load_resource(path: str) -> bytes:
    """The bytes of the data file `path`, relative to the calling script's directory
    (IOError if it cannot be read)."""
    with open(os.path.join(_caller_dir(2), path), "rb") as f:
        return f.read()


def readahead_file_path(path: str, readahead: str = "128M") -> str:
    """`path` itself (TF's readahead file systems are not part of tfgraph)."""
    del readahead
    return path
