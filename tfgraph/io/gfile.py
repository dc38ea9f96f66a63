"""`tf.io.gfile`: file access the way TF scripts use it (local files only).

    with tf.io.gfile.GFile("frozen.pb", "rb") as f:
        graph_def.ParseFromString(f.read())

Names follow `tf.io.gfile` (`exists`, `makedirs`, `glob`, `remove`, `rmtree`, ...);
the TF1 `tf.gfile` spellings (`Exists`, `MakeDirs`, `Glob`, ...) are aliases
defined here too and re-exported by `tfgraph.gfile`. Failures raise TF's error
classes (`NotFoundError` "...; No such file or directory", `AlreadyExistsError`,
`FailedPreconditionError` for a directory, `PermissionDeniedError`).

One deliberate difference: a `GFile` opened for writing ("w", "wb", "w+") writes to
a temporary file next to the target and renames it over the target on `close()`,
so a reader never sees a half-written file (TensorFlow writes in place; the file
then exists, empty, as soon as it is opened). Append modes write in place.
"""

from __future__ import annotations

import errno
import glob as _glob
import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from tfgraph import errors

if TYPE_CHECKING:  # pragma: no cover
    from tfgraph.io.atomic import AtomicFile

__all__ = [
    "GFile",
    "copy",
    "exists",
    "get_registered_schemes",
    "glob",
    "isdir",
    "join",
    "listdir",
    "makedirs",
    "mkdir",
    "remove",
    "rename",
    "rmtree",
    "stat",
    "walk",
]

_MODES = frozenset({"r", "w", "a", "r+", "w+", "a+"})


def local_path(name) -> str:
    """`name` as a local file system path: text, without a `file://` scheme; other
    schemes (gs://, hdfs://, ...) raise UnimplementedError, as TF without their plugin."""
    return _path(name)


def _path(name) -> str:
    name = os.fspath(name)
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    if "://" in name and not name.startswith("file://"):
        scheme = name.split("://", 1)[0]
        raise errors.UnimplementedError(
            None, None, f"File system scheme '{scheme}' not implemented (file: '{name}')"
        )
    return name[len("file://") :] if name.startswith("file://") else name


def _os_error(e: OSError, path: str) -> errors.OpError:
    code = e.errno
    if code == errno.ENOENT:
        return errors.NotFoundError(None, None, f"{path}; No such file or directory")
    if code == errno.EEXIST:
        return errors.AlreadyExistsError(None, None, f"{path}; File exists")
    if code in (errno.EISDIR, errno.ENOTDIR, errno.ENOTEMPTY):
        return errors.FailedPreconditionError(None, None, f"{path}; {e.strerror}")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return errors.PermissionDeniedError(None, None, f"{path}; {e.strerror}")
    return errors.UnknownError(None, None, f"{path}; {e.strerror}")


class GFile:
    """A file object with TF's `GFile` interface.

    Args:
        name: the file's path.
        mode: "r", "w", "a", "r+", "w+" or "a+", optionally with "b" (binary: bytes;
            otherwise str, UTF-8).
    """

    def __init__(self, name, mode: str = "r") -> None:
        self.__name = _path(name)
        self.__mode = mode
        self._binary = "b" in mode
        base = mode.replace("b", "")
        if base not in _MODES:
            raise errors.InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'"
            )
        self._read_check = base.startswith("r") or "+" in base
        self._write_check = base[0] in "wa" or "+" in base
        self._atomic: AtomicFile | None = None
        self._f: BinaryIO | None = None
        self._base = base

    @property
    def name(self) -> str:
        """The path of the file."""
        return self.__name

    @property
    def mode(self) -> str:
        """The mode the file was opened with."""
        return self.__mode

    def _file(self):
        if self._f is None:
            path = self.__name
            base = self._base
            try:
                if base.startswith("w"):
                    from tfgraph.io.atomic import AtomicFile

                    parent = os.path.dirname(os.path.abspath(path))
                    if not os.path.isdir(parent):
                        raise FileNotFoundError(errno.ENOENT, "No such file or directory")
                    if os.path.isdir(path):
                        raise IsADirectoryError(errno.EISDIR, "Is a directory")
                    self._atomic = AtomicFile(path, fsync=False)
                    if base == "w+":
                        self._atomic.file.close()
                        self._atomic.file = open(self._atomic.temp_path, "w+b")  # noqa: SIM115
                    self._f = self._atomic.file
                else:
                    if os.path.isdir(path):
                        raise IsADirectoryError(errno.EISDIR, "Is a directory")
                    self._f = open(path, base + "b")  # noqa: SIM115 - closed by close()
            except OSError as e:
                raise _os_error(e, path) from None
        return self._f

    def _prepare_value(self, value):
        if self._binary:
            return (
                value if isinstance(value, (bytes, bytearray, memoryview)) else str(value).encode()
            )
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)

    def _result(self, data: bytes):
        return data if self._binary else data.decode("utf-8")

    def size(self) -> int:
        """The file's size in bytes."""
        if self._f is not None and self._write_check:
            self._f.flush()
            return os.fstat(self._f.fileno()).st_size
        return stat(self.__name).length

    def write(self, file_content) -> None:
        """Writes `file_content` (str or bytes)."""
        if not self._write_check:
            raise errors.PermissionDeniedError(None, None, "File isn't open for writing")
        self._file().write(self._prepare_value(file_content))

    def read(self, n: int = -1):
        """Reads `n` bytes (all if -1): bytes in binary mode, else str."""
        if not self._read_check:
            raise errors.PermissionDeniedError(None, None, "File isn't open for reading")
        return self._result(self._file().read(n if n is not None and n >= 0 else -1))

    def readline(self):
        """The next line (with its newline), or empty at the end."""
        if not self._read_check:
            raise errors.PermissionDeniedError(None, None, "File isn't open for reading")
        return self._result(self._file().readline())

    def readlines(self) -> list:
        """All remaining lines."""
        return list(self)

    def seek(self, offset=None, whence: int = 0, position=None) -> None:
        """Moves the file position (`position` is TF's deprecated name of `offset`)."""
        if offset is None:
            offset = position
        self._file().seek(offset or 0, whence)

    def tell(self) -> int:
        """The current position."""
        return self._file().tell()

    def flush(self) -> None:
        """Flushes buffered writes (to the temporary file in "w" modes)."""
        if self._f is not None:
            self._f.flush()

    def close(self) -> None:
        """Closes the file; in "w" modes this renames the written file into place."""
        if self._atomic is not None:
            atomic, self._atomic = self._atomic, None
            self._f = None
            atomic.commit()
        elif self._f is not None:
            f, self._f = self._f, None
            f.close()

    def __iter__(self) -> Iterator:
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def seekable(self) -> bool:
        return True

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self._atomic is not None:
            atomic, self._atomic = self._atomic, None
            self._f = None
            atomic.discard()
            return
        self.close()

    def __del__(self) -> None:
        atomic, f = getattr(self, "_atomic", None), getattr(self, "_f", None)  # __init__ may fail
        if atomic is not None:
            atomic.discard()
        elif f is not None:
            f.close()


FastGFile = GFile
Open = GFile


def exists(path) -> bool:
    """Whether `path` exists (file or directory)."""
    return os.path.exists(_path(path))


def isdir(path) -> bool:
    """Whether `path` is a directory."""
    return os.path.isdir(_path(path))


def makedirs(path) -> None:
    """Creates `path` and missing parents (no error if it exists)."""
    path = _path(path)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise _os_error(e, path) from None


def mkdir(path) -> None:
    """Creates the directory `path`; its parent must exist (no error if it exists)."""
    path = _path(path)
    try:
        os.mkdir(path)
    except FileExistsError:
        if not os.path.isdir(path):
            raise errors.AlreadyExistsError(None, None, f"{path}; File exists") from None
    except OSError as e:
        raise _os_error(e, path) from None


def listdir(path) -> list[str]:
    """The names of the entries of directory `path` (no "." / "..")."""
    path = _path(path)
    if not os.path.isdir(path):
        raise errors.NotFoundError(None, None, f"Could not find directory {path}")
    return os.listdir(path)


def glob(pattern) -> list[str]:
    """Paths matching `pattern` (or any of a list of patterns)."""
    patterns = [pattern] if isinstance(pattern, (str, bytes, os.PathLike)) else list(pattern)
    out: list[str] = []
    for p in patterns:
        out.extend(sorted(_glob.glob(_path(p))))
    return out


def remove(path) -> None:
    """Deletes the file `path`."""
    path = _path(path)
    if os.path.isdir(path):
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory")
    try:
        os.remove(path)
    except OSError as e:
        raise _os_error(e, path) from None


def rmtree(path) -> None:
    """Deletes the directory `path` and everything in it."""
    path = _path(path)
    if not os.path.exists(path):
        raise errors.NotFoundError(None, None, f"{path} not found")
    try:
        shutil.rmtree(path)
    except NotADirectoryError:
        os.remove(path)
    except OSError as e:
        raise _os_error(e, path) from None


def copy(oldpath, newpath, overwrite: bool = False) -> None:
    """Copies a file (AlreadyExistsError if `newpath` exists and not `overwrite`)."""
    src, dst = _path(oldpath), _path(newpath)
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    if not os.path.exists(src):
        raise errors.NotFoundError(None, None, f"{src}; No such file or directory")
    from tfgraph.io.atomic import AtomicFile

    try:
        out = AtomicFile(dst, fsync=False)
        with open(src, "rb") as f:
            shutil.copyfileobj(f, out.file, 1 << 20)
        out.commit()
    except OSError as e:
        raise _os_error(e, src) from None


def rename(oldname, newname, overwrite: bool = False) -> None:
    """Renames a file (AlreadyExistsError if `newname` exists and not `overwrite`)."""
    src, dst = _path(oldname), _path(newname)
    if not overwrite and os.path.exists(dst):
        raise errors.AlreadyExistsError(None, None, "file already exists")
    try:
        os.replace(src, dst)
    except OSError as e:
        raise _os_error(e, src) from None


class FileStatistics(NamedTuple):
    """What `stat` returns: size, modification time (ns) and whether a directory."""

    length: int
    mtime_nsec: int
    is_directory: bool


def stat(path) -> FileStatistics:
    """Size, mtime and kind of `path`."""
    path = _path(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise _os_error(e, path) from None
    return FileStatistics(int(st.st_size), int(st.st_mtime_ns), os.path.isdir(path))


def walk(top, topdown: bool = True, onerror=None):
    """Yields (directory, subdirectory names, file names) for `top` and below."""
    top = _path(top)
    if not os.path.isdir(top):
        if onerror is not None:
            onerror(errors.NotFoundError(None, None, f"Could not find directory {top}"))
        return
    yield from os.walk(top, topdown=topdown)


def join(path, *paths) -> str:
    """`os.path.join` for gfile paths."""
    return os.path.join(_path(path), *[os.fspath(p) for p in paths])


def get_registered_schemes() -> list[str]:
    """The URL schemes this gfile understands ("" and "file")."""
    return ["", "file"]


# TF1 `tf.gfile` spellings, with TF1's parameter names (`filename`, `dirname`).
Copy = copy
Rename = rename


def DeleteRecursively(dirname) -> None:
    """`rmtree` (TF1 `tf.gfile.DeleteRecursively`)."""
    rmtree(dirname)


def Exists(filename) -> bool:
    """`exists` (TF1 `tf.gfile.Exists`)."""
    return exists(filename)


def Glob(filename) -> list:
    """`glob` (TF1 `tf.gfile.Glob`)."""
    return glob(filename)


def IsDirectory(dirname) -> bool:
    """`isdir` (TF1 `tf.gfile.IsDirectory`)."""
    return isdir(dirname)


def ListDirectory(dirname) -> list:
    """`listdir` (TF1 `tf.gfile.ListDirectory`)."""
    return listdir(dirname)


def MakeDirs(dirname) -> None:
    """`makedirs` (TF1 `tf.gfile.MakeDirs`)."""
    makedirs(dirname)


def MkDir(dirname) -> None:
    """`mkdir` (TF1 `tf.gfile.MkDir`)."""
    mkdir(dirname)


def Remove(filename) -> None:
    """`remove` (TF1 `tf.gfile.Remove`)."""
    remove(filename)


def Stat(filename):
    """`stat` (TF1 `tf.gfile.Stat`)."""
    return stat(filename)


def Walk(top, in_order: bool = True):
    """`walk` (TF1 `tf.gfile.Walk`): `in_order` lists a directory before its
    subdirectories (top-down)."""
    return walk(top, topdown=in_order)
