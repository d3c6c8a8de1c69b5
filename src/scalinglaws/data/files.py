"""Safe file writing (temporary file + rename) and reading of JSON records."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..exceptions import DataError, ResultFileError


def check_writable(path: Any) -> Path:
    """``path`` as a Path when a file can be written there, else the DataError writing would
    end in (checked before the work that makes the file): its folder is missing or not
    writable, or the path is a folder."""
    target = Path(os.fspath(path))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise DataError(f"the folder {folder} does not exist", f"path {target}",
                        "create it first or choose another path")
    if target.is_dir():
        raise DataError(f"cannot write {target}: Is a directory", f"path {target}",
                        "choose a writable path (a file name, not a folder)")
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"cannot write to {folder}: it is not a writable folder",
                        f"path {target}", "choose a writable folder")
    return target


def write_bytes_atomic(path: Any, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that a reader never sees a half-written file."""
    target = check_writable(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DataError(f"cannot write to {folder}: {exc.strerror}", f"path {target}",
                        "choose a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DataError(f"cannot write {target}: {exc.strerror}", f"path {target}",
                        "choose a writable path") from None
    return target


def write_json_atomic(path: Any, record: Any) -> Path:
    text = json.dumps(record, indent=2, allow_nan=False) + "\n"
    return write_bytes_atomic(path, text.encode())


def write_text_atomic(path: Any, text: str) -> Path:
    return write_bytes_atomic(path, text.encode())


def read_json(path: Any) -> Any:
    """Read a JSON record (never executes code), with clear errors."""
    p = Path(os.fspath(path))
    if not p.is_file():
        raise ResultFileError(f"file not found: {p}", f"path {p}", "check the path")
    try:
        text = p.read_text()
    except UnicodeDecodeError:
        text = ""
    if not text.lstrip().startswith(("{", "[")):
        raise ResultFileError(f"{p.name} is not a saved fit (a fit file is JSON, written by "
                              "scalinglaws fit ... --out fit.json)", f"file {p}",
                              "give the fit file; to fit these runs first: scalinglaws fit "
                              f"{p.name} --law LAW --out fit.json")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultFileError(f"{p.name} is not valid JSON ({exc})", f"file {p}",
                              "the file may be truncated: save the fit again") from None
