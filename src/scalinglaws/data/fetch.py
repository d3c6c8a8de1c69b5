"""Getting a registry table that is not bundled: from the cache, else from a mirror
(``SCALINGLAWS_DATA_URL``: a URL or a folder in the registry's layout) or the table's original
location, checked against its SHA-256 before it is kept. A file whose checksum differs is
discarded, never read."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from ..exceptions import DataError
from .entries import Entry

#: the environment variable naming the cache folder (default: the platform's user cache)
CACHE_ENV = "SCALINGLAWS_CACHE"
#: the environment variable naming a mirror: a URL or folder holding ``<folder>/<file>``
MIRROR_ENV = "SCALINGLAWS_DATA_URL"
_REMOTE = ("http", "https", "ftp")


def cache_dir() -> Path:
    """The folder downloaded tables are kept in: ``$SCALINGLAWS_CACHE``, else the platform's
    user cache folder for scalinglaws (``platformdirs.user_cache_dir``)."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("scalinglaws", appauthor=False))


def cached_path(entry: Entry) -> Path:
    """Where the entry's file is (or will be) kept in the cache."""
    return cache_dir() / entry.folder / entry.file


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_cached(entry: Entry) -> bool:
    """Whether the cache holds the entry's file with the right checksum."""
    path = cached_path(entry)
    return path.is_file() and sha256_of(path) == entry.sha256


def fetch(entry: Entry, *, download: bool = True) -> Path:
    """The path of the entry's file in the cache, downloading (or copying from the mirror) it
    first when it is missing or its checksum differs."""
    target = cached_path(entry)
    if target.is_file():
        if sha256_of(target) == entry.sha256:
            return target
        target.unlink()  # damaged or from another version: get it again
    location = _location(entry)
    if not download:
        raise DataError(f"dataset '{entry.name}' is not in the cache ({target})",
                        f"registry entry '{entry.name}'",
                        f"load it once with download=True (it comes from {location})")
    target.parent.mkdir(parents=True, exist_ok=True)
    if urlparse(location).scheme in _REMOTE:
        _download(entry, location, target)
    else:
        _copy(entry, Path(location.removeprefix("file://")), target)
    return target


def _location(entry: Entry) -> str:
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        return f"{mirror.rstrip('/')}/{entry.folder}/{entry.file}"
    if entry.url:
        return entry.url
    raise DataError(
        f"dataset '{entry.name}' is not bundled and has no public copy of this table to "
        f"download: it is derived from {entry.origin}, whose source carries no licence, so "
        "the package neither ships nor re-hosts it",
        f"registry entry '{entry.name}' (licence: {entry.licence})",
        f"set {MIRROR_ENV} to a URL or folder holding {entry.folder}/{entry.file} "
        f"(sha256 {entry.sha256[:12]}...), e.g. a copy prepared from the source repository",
    )


def _download(entry: Entry, url: str, target: Path) -> None:
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # the library does not print; the CLI shows progress itself
    try:
        pooch.retrieve(url, known_hash=f"sha256:{entry.sha256}", fname=target.name,
                       path=target.parent, progressbar=False)
    except ValueError as exc:  # pooch removes the file whose hash does not match
        raise _mismatch(entry, url) from exc
    except OSError as exc:  # requests' errors are OSErrors
        raise DataError(f"cannot download dataset '{entry.name}': {exc}",
                        f"URL {url}",
                        "check the network connection (or set "
                        f"{MIRROR_ENV} to a reachable mirror or folder) and try again") from exc
    finally:
        logger.setLevel(level)


def _copy(entry: Entry, source: Path, target: Path) -> None:
    if not source.is_file():
        raise DataError(f"the mirror has no file for dataset '{entry.name}'",
                        f"path {source}", f"put {entry.folder}/{entry.file} there, or unset "
                        f"{MIRROR_ENV}")
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    tmp = Path(name)
    try:
        shutil.copyfile(source, tmp)
        if sha256_of(tmp) != entry.sha256:
            raise _mismatch(entry, str(source))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _mismatch(entry: Entry, where: str) -> DataError:
    return DataError(
        f"the file for dataset '{entry.name}' does not have the registry's checksum: "
        "it was discarded",
        f"{where} (expected sha256 {entry.sha256})",
        "the source changed or the transfer was damaged; try again, or point "
        f"{MIRROR_ENV} at an unmodified copy",
    )
