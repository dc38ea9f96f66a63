"""Reading Keras's dataset files without running code from them.

IMDB's and Reuters' `.npz` files hold object arrays (one list of word ids per review),
which numpy stores as pickles, and CIFAR's batches are pickled dicts. A pickle can
name any callable to run while loading; these readers accept only what the files
need: numpy arrays, dtypes and scalars (plus `_codecs.encode`, which Python 2 era
pickles use for byte strings). Anything else raises `pickle.UnpicklingError`.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

__all__ = ["load", "load_npz"]

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a dataset file: only numpy arrays "
                "and plain Python values are read (the file may be corrupt or unsafe)"
            )
        return super().find_class(module, name)


def load(f, encoding: str = "ASCII"):
    """`pickle.load(f)` restricted to numpy arrays and plain Python values."""
    return _Unpickler(f, encoding=encoding).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """The arrays of an `.npz` file, object arrays included, read without running code."""
    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            key = member[:-4] if member.endswith(".npy") else member
            with archive.open(member) as raw:
                fp = io.BytesIO(raw.read())
            version = np.lib.format.read_magic(fp)
            header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            _, _, dtype = header(fp)
            if dtype.hasobject:  # (numpy pickles the whole array after the header)
                array = load(fp, encoding="latin1")
                if not isinstance(array, np.ndarray):
                    raise pickle.UnpicklingError(f"{path}: {key} is not an array")
            else:
                fp.seek(0)
                array = np.lib.format.read_array(fp, allow_pickle=False)
            out[key] = array
    return out
