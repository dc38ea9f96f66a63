"""Write files so a reader never sees a half-written one: temp name, (fsync), rename.

Every tfgraph writer goes through `atomic_open` (or `atomic_write`): bytes go to a
temporary file in the destination directory, which is flushed and then renamed over
the destination with `os.replace` (atomic on POSIX and Windows). On an exception the
temporary file is removed and the destination is left untouched. A process killed at
any point therefore leaves either the old file or the new one.

Permissions: the temporary file is created with mode 0o666 filtered by the process's
umask, like every file TensorFlow writes (0644 under umask 022), so a checkpoint or event
file is readable by whoever may read what TF writes (e.g. TensorBoard run by another
user). The kernel applies the umask at creation; it is never read or changed here.

Stale temporary files: a process killed while writing leaves its temporary file behind.
Temporary names are `<name>.tfgraph-tmp-<pid>-<host>-<random>.tmp` (host: 8 hex digits
naming the machine), and `remove_stale_temp_files(directory)` (called by every
checkpoint save) deletes those whose writer is gone: written on this machine by a
process that no longer exists, or on another machine and untouched for a day.

fsync: TensorFlow does not fsync the checkpoints and graphs it writes, and by default
neither does tfgraph (the rename already makes a save crash-safe for the process). Set
the environment variable TFGRAPH_FSYNC=1 to fsync every file (and its directory)
before the rename, which also survives power loss, at the disk's write speed.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import time
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

__all__ = [
    "AtomicFile",
    "atomic_open",
    "atomic_write",
    "fsync_by_default",
    "remove_stale_temp_files",
]

_HOST = f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"
_TEMP_NAME = re.compile(r"\.tfgraph-tmp-(\d+)-([0-9a-f]{8})-[0-9a-f]{8}\.tmp\Z")
# A temporary file from another machine is stale when untouched this long (seconds).
_FOREIGN_STALE_AGE = 24 * 3600
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_OPEN_FLAGS |= getattr(os, "O_BINARY", 0)


def _create_temp(path: str) -> tuple[int, str]:
    """(fd, name) of a new file next to `path`, mode 0o666 & ~umask (as TF's files)."""
    dirname, name = os.path.split(path)
    tag = f".tfgraph-tmp-{os.getpid()}-{_HOST}-"
    # Keep the name within the usual 255-byte limit (the tag and random part take 48).
    while len(os.fsencode(name)) > 255 - len(tag) - 12:
        name = name[:-1]
    base = os.path.join(dirname, name + tag)
    while True:
        name = f"{base}{secrets.token_hex(4)}.tmp"
        try:
            return os.open(name, _OPEN_FLAGS, 0o666), name
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue


def _process_exists(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists (another user's), or unknown: keep the file
    return True


def remove_stale_temp_files(directory: str | os.PathLike) -> list[str]:
    """Deletes the temporary files of writers that died (see the module docstring).

    A concurrent writer's file is never removed: its process still exists (same
    machine) or it was modified within the last day (another machine).

    Returns:
        The paths removed.
    """
    removed: list[str] = []
    now = time.time()
    try:
        entries = list(os.scandir(os.fspath(directory)))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.search(str(entry.name))
        if m is None:
            continue
        try:
            if m.group(2) == _HOST:
                if _process_exists(int(m.group(1))):
                    continue
            elif now - entry.stat(follow_symlinks=False).st_mtime < _FOREIGN_STALE_AGE:
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(str(entry.path))
    return removed


def fsync_by_default() -> bool:
    """Whether writers fsync when not told otherwise (TFGRAPH_FSYNC=1; off, as in TF)."""
    return os.environ.get("TFGRAPH_FSYNC", "") not in ("", "0")


# Files written with fsync start their writeback every this many bytes, so the final
# fsync finds most of the data already on its way to disk (a 100 MB checkpoint saves
# markedly faster). POSIX_FADV_DONTNEED makes Linux start writing the dirty range
# asynchronously; pages still dirty or under writeback stay cached.
_WRITEBACK_CHUNK = 8 << 20


def _fadvise_writeback(fd: int, offset: int, length: int) -> None:
    try:
        os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass


_START_WRITEBACK = _fadvise_writeback if hasattr(os, "posix_fadvise") else None


def _fsync_dir(dirname: str) -> None:
    """Makes a rename durable (best effort; not possible on every platform)."""
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """A binary file written at a temporary name and renamed over `path` by `commit`.

    Use it when the writes span several calls (e.g. a checkpoint's data file, filled
    tensor by tensor); `atomic_open` wraps it for a single `with` block.

    Args:
        path: the destination file. Its directory must exist.
        fsync: flush the data (and the directory entry) to disk on commit; None: the
            process-wide default (`fsync_by_default()`).
    """

    def __init__(self, path: str | os.PathLike, fsync: bool | None = None) -> None:
        self.path = os.fspath(path)
        self._fsync = fsync_by_default() if fsync is None else fsync
        self._dir = os.path.dirname(os.path.abspath(self.path))
        fd, self.temp_path = _create_temp(os.path.join(self._dir, os.path.basename(self.path)))
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self.closed = False
        self._written = 0
        self._kicked = 0

    def write(self, data) -> int:
        """Writes bytes-like `data`; returns the number of bytes written."""
        n = self.file.write(data)
        if self._fsync and _START_WRITEBACK is not None:
            self._written += n
            if self._written - self._kicked >= _WRITEBACK_CHUNK:
                # Start writing this range to disk now (see _WRITEBACK_CHUNK).
                self.file.flush()
                _START_WRITEBACK(self.file.fileno(), self._kicked, self._written - self._kicked)
                self._kicked = self._written
        return n

    def sync(self) -> None:
        """Flushes (and fsyncs) the temporary file and closes it, without renaming:
        call this for several files first, then `commit` them back to back, to keep
        the moment where some are renamed and others not as short as possible."""
        if self.closed:
            raise ValueError(f"{self.path}: already committed or discarded")
        if self.file.closed:
            return
        try:
            self.file.flush()
            if self._fsync:
                os.fsync(self.file.fileno())
            self.file.close()
        except BaseException:
            self.discard()
            raise

    def commit(self, fsync_dir: bool = True) -> None:
        """Flushes, fsyncs and renames the temporary file to `path`.

        Args:
            fsync_dir: also fsync the directory (when the file is fsync'ed); pass
                False when committing several files in one directory and sync the
                directory once after the last (`sync_directory`).
        """
        self.sync()
        try:
            os.replace(self.temp_path, self.path)
        except BaseException:
            self.discard()
            raise
        self.closed = True
        if self._fsync and fsync_dir:
            _fsync_dir(self._dir)

    def sync_directory(self) -> None:
        """fsyncs the destination directory (makes committed renames durable)."""
        if self._fsync:
            _fsync_dir(self._dir)

    def discard(self) -> None:
        """Closes and removes the temporary file; `path` is left untouched."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temp_path)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, fsync: bool | None = None) -> Iterator[BinaryIO]:
    """Context manager yielding a binary file that replaces `path` on success.

    Args:
        path: the destination file. Its directory must exist.
        fsync: flush the data (and the directory entry) to disk before returning.

    Yields:
        A writable binary file object at a temporary name next to `path`.
    """
    target = AtomicFile(path, fsync=fsync)
    try:
        yield target.file
    except BaseException:
        target.discard()
        raise
    target.commit()


def atomic_write(
    path: str | os.PathLike, data: bytes | Iterable[bytes | memoryview], fsync: bool | None = None
) -> None:
    """Atomically replaces `path` with `data` (bytes, or an iterable of byte chunks)."""
    with atomic_open(path, fsync=fsync) as f:
        if isinstance(data, (bytes, bytearray, memoryview)):
            f.write(data)
        else:
            for chunk in data:
                f.write(chunk)
