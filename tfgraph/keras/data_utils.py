"""Files Keras fetches once and keeps: `get_file` caches a download under
`~/.keras/<cache_subdir>` (or /tmp/.keras when the home cache is read-only), checks it
against a sha256 or md5 hash, and unpacks archives, as Keras 2 does."""

from __future__ import annotations

import hashlib
import os
import tarfile
import zipfile
from urllib.parse import urlsplit

__all__ = ["Sequence", "get_file", "validate_file"]


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
