"""Files Keras fetches once and keeps: `get_file` caches a download under
`~/.keras/<cache_subdir>` (or /tmp/.keras when the home cache is read-only), checks it
against a sha256 or md5 hash, and unpacks archives, as Keras 2 does; the Sequence base
class and the enqueuers that compute batches ahead in worker threads or processes."""

from __future__ import annotations

import hashlib
import itertools
import os
import queue
import random
import tarfile
import threading
import time
import zipfile
from contextlib import closing
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "GeneratorEnqueuer",
    "OrderedEnqueuer",
    "Sequence",
    "SequenceEnqueuer",
    "get_file",
    "validate_file",
]


def _hasher(algorithm: str, file_hash: str | None = None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def _hash_file(fpath, hasher, chunk_size: int = 65535) -> str:
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535) -> bool:
    """Whether the file's sha256 (64 hex digits) or md5 digest is `file_hash`."""
    return _hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _safe_members(archive: tarfile.TarFile, base: str):
    root = os.path.realpath(base)
    for member in archive.getmembers():
        target = os.path.realpath(os.path.join(base, member.name))
        if os.path.commonpath([root, target]) == root and not (member.issym() or member.islnk()):
            yield member


def _extract_archive(file_path: str, path: str, archive_format="auto") -> bool:
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    for kind in [formats] if isinstance(formats, str) else formats:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                archive.extractall(path, members=_safe_members(archive, path))
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(path)
            return True
    return False


def _download(origin: str, fpath: str) -> None:
    import urllib.error  # (with urllib.request: http and ssl, 10 ms of `import tfgraph`)
    import urllib.request

    print(f"Downloading data from {origin}")
    try:
        try:
            urllib.request.urlretrieve(origin, fpath)
        except urllib.error.HTTPError as e:
            raise Exception(f"URL fetch failure on {origin}: {e.code} -- {e.msg}") from e
        except urllib.error.URLError as e:
            raise Exception(f"URL fetch failure on {origin}: {e.errno} -- {e.reason}") from e
    except (Exception, KeyboardInterrupt):
        if os.path.exists(fpath):
            os.remove(fpath)
        raise


def _cache_dir(cache_dir, cache_subdir: str) -> str:
    if cache_dir is None:
        cache_dir = os.path.join(os.path.expanduser("~"), ".keras")
    base = os.path.expanduser(cache_dir)
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp", ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
):
    """The local path of `origin`'s file, downloaded into `cache_dir/cache_subdir`
    (default `~/.keras/datasets`) unless a copy with the expected hash is there.

    Raises:
        ValueError: no `origin`, or a downloaded file whose hash does not match.
        Exception: "URL fetch failure on <origin>" when the download fails (offline).
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_dir(cache_dir, cache_subdir)
    fname = os.fspath(fname) if fname else os.path.basename(urlsplit(origin).path)
    if not fname:
        raise ValueError(
            f"Can't parse the file name from the origin provided: '{origin}'."
            "Please specify the `fname` as the input param."
        )
    if untar:
        if fname.endswith(".tar.gz"):
            fname = fname[: -len(".tar.gz")]
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + ".tar.gz"
    else:
        fpath = os.path.join(datadir, fname)
    download = not os.path.exists(fpath)
    if not download and file_hash is not None:
        if not validate_file(fpath, file_hash, algorithm=hash_algorithm):
            print(
                "A local file was found, but it seems to be incomplete or outdated because "
                f"the {hash_algorithm} file hash does not match the original value of "
                f"{file_hash} so we will re-download the data."
            )
            download = True
    if download:
        _download(origin, fpath)
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected. The {hash_algorithm} file hash "
                f"does not match the provided value of {file_hash}."
            )
    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format="tar")
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath


class Sequence:
    """Base of indexable batch sources for `fit_generator`: define `__getitem__(index)`
    (a batch) and `__len__` (batches per epoch); `on_epoch_end` runs after each epoch."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after each epoch (e.g. to shuffle)."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


# -- enqueuers: batches produced ahead by worker threads or processes -------------------
_SHARED: dict = {}  # uid -> the Sequence or generator its workers read
_UIDS = itertools.count()


def _pool(use_multiprocessing: bool, workers: int, seed=None):
    import multiprocessing.pool

    if not use_multiprocessing:
        return multiprocessing.pool.ThreadPool(workers)
    return multiprocessing.Pool(workers, initializer=_init_worker, initargs=(_SHARED, seed))


def _init_worker(shared, seed) -> None:
    import multiprocessing

    import numpy as np

    global _SHARED
    _SHARED = shared
    if seed is not None:
        np.random.seed(seed + (multiprocessing.current_process().ident or 0))


def _get_index(uid, i):
    return _SHARED[uid][i]


def _next_sample(uid):
    return next(_SHARED[uid])


class SequenceEnqueuer:
    """Base of the enqueuers: `start(workers, max_queue_size)` runs workers that fill a
    queue with batches of `sequence`, `get()` yields them, `stop()` ends the workers.
    Subclasses define `_run` (the filling loop) and `get`."""

    def __init__(self, sequence, use_multiprocessing=False) -> None:
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.uid = next(_UIDS)
        self.workers = 0
        self.executor_fn: Any = None
        self.queue: Any = None
        self.run_thread: Any = None
        self.stop_signal: Any = None

    def is_running(self) -> bool:
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10) -> None:
        """Starts `workers` workers filling a queue of at most `max_queue_size` batches."""
        seed = getattr(self, "random_seed", None)
        self.executor_fn = lambda: _pool(self.use_multiprocessing, workers, seed)
        self.workers = workers
        self.queue = queue.Queue(max_queue_size)
        self.stop_signal = threading.Event()
        self.run_thread = threading.Thread(target=self._run, daemon=True)
        self.run_thread.start()

    def _send_sequence(self) -> None:
        _SHARED[self.uid] = self.sequence

    def stop(self, timeout=None) -> None:
        """Stops the workers (waiting at most `timeout` seconds for the filling thread)."""
        self.stop_signal.set()
        with self.queue.mutex:
            self.queue.queue.clear()
            self.queue.unfinished_tasks = 0
            self.queue.not_full.notify()
        self.run_thread.join(timeout)
        _SHARED[self.uid] = None

    def __del__(self) -> None:
        if self.is_running():
            self.stop()

    def _run(self) -> None:
        raise NotImplementedError

    def get(self):
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Batches of a `Sequence` in index order (shuffled per epoch with Python's `random`
    when `shuffle`), computed by parallel workers; `on_epoch_end` runs between epochs."""

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False) -> None:
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def _wait_queue(self) -> None:
        while not (self.queue.unfinished_tasks == 0 or self.stop_signal.is_set()):
            time.sleep(0.1)

    def _run(self) -> None:
        order = list(range(len(self.sequence)))
        self._send_sequence()
        while True:
            if self.shuffle:
                random.shuffle(order)
            with closing(self.executor_fn()) as executor:
                for i in order:
                    if self.stop_signal.is_set():
                        return
                    self.queue.put(executor.apply_async(_get_index, (self.uid, i)), block=True)
                self._wait_queue()
                if self.stop_signal.is_set():
                    return
            self.sequence.on_epoch_end()
            self._send_sequence()

    def get(self):
        """Yields the batches, epoch after epoch, while running."""
        while self.is_running():
            try:
                inputs = self.queue.get(block=True, timeout=5).get()
                if self.is_running():
                    self.queue.task_done()
                if inputs is not None:
                    yield inputs
            except queue.Empty:
                pass
            except Exception:
                self.stop()
                raise


class GeneratorEnqueuer(SequenceEnqueuer):
    """Items of a Python generator pulled by parallel workers (the generator must be
    thread-safe when `workers > 1`; with processes each worker reseeds np.random from
    `random_seed`)."""

    def __init__(self, generator, use_multiprocessing=False, random_seed=None) -> None:
        super().__init__(generator, use_multiprocessing)
        self.random_seed = random_seed

    def _run(self) -> None:
        self._send_sequence()
        with closing(self.executor_fn()) as executor:
            while not self.stop_signal.is_set():
                self.queue.put(executor.apply_async(_next_sample, (self.uid,)), block=True)

    def get(self):
        """Yields the generator's items until it is exhausted (then the ones in flight)."""
        try:
            while self.is_running():
                inputs = self.queue.get(block=True).get()
                self.queue.task_done()
                if inputs is not None:
                    yield inputs
        except StopIteration:
            pending = []
            while self.queue.qsize() > 0:
                pending.append(self.queue.get(block=True))
            for future in pending:
                future.wait()
            for inputs in [f.get() for f in pending if f.successful()]:
                if inputs is not None:
                    yield inputs
        except Exception as e:
            self.stop()
            if "generator already executing" in str(e):
                raise RuntimeError(
                    "Your generator is NOT thread-safe. Keras requires a thread-safe generator "
                    "when `use_multiprocessing=False, workers > 1`. "
                ) from e
            raise
