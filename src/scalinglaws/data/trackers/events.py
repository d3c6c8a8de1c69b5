"""Reading TensorBoard event files: the TFRecord frames checked record by record, the scalars
and hyper-parameters of each event.

An event file is a sequence of records, each ``length (8 bytes) | CRC of length (4) | data |
CRC of data (4)`` with masked CRC-32C checksums, the data an ``Event`` protocol buffer. A
record whose checksum fails, or a file that starts with no readable record, is corrupt (a
DataError naming the file and the byte); a last record cut short is what a writer still
running (or killed) leaves, and the records before it are read, with a warning.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...common.warning import warn
from ...exceptions import DataError
from .options import require

_HEADER = struct.Struct("<QI")
_CRC = struct.Struct("<I")
#: tensor dtypes (TensorFlow's DataType enum) whose scalar is a number
_NUMERIC_DTYPES = frozenset({1, 2, 3, 4, 5, 6, 9, 14, 17, 19, 22, 23})


@dataclass
class RunEvents:
    """What the event files of one run hold: each scalar tag's ``(step, wall_time, value)``
    points and the hyper-parameters."""

    scalars: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    hparams: dict[str, Any] = field(default_factory=dict)


def _checksum() -> Callable[[bytes], int]:
    """The masked CRC-32C of TFRecord frames (TensorBoard's own implementation)."""
    stub = require("tensorboard.compat.tensorflow_stub.pywrap_tensorflow", "tensorboard",
                   "TensorBoard event files")
    return stub.masked_crc32c  # type: ignore[no-any-return]


def records(path: Path) -> Iterator[bytes]:
    """The records of an event file, each checked against its checksums."""
    masked_crc = _checksum()
    with open(path, "rb") as fh:
        data = fh.read()
    pos, count, size = 0, 0, len(data)
    while pos < size:
        if size - pos < _HEADER.size:
            return _cut_short(path, pos, count)
        length, length_crc = _HEADER.unpack_from(data, pos)
        if masked_crc(data[pos:pos + 8]) != length_crc:
            raise _corrupt(path, pos, count, "the checksum of a record's length fails")
        start = pos + _HEADER.size
        end = start + length
        if end + _CRC.size > size:
            return _cut_short(path, pos, count)
        body = data[start:end]
        if masked_crc(body) != _CRC.unpack_from(data, end)[0]:
            raise _corrupt(path, pos, count, "the checksum of a record's data fails")
        yield body
        count += 1
        pos = end + _CRC.size


def _corrupt(path: Path, pos: int, count: int, what: str) -> DataError:
    where = f"file {path}, byte {pos} (after {count} good records)"
    if count == 0:
        return DataError(f"{path.name} is not a readable TensorBoard event file: {what}",
                         where, "remove the file or write it again; an event file is "
                         "what tf.summary, torch.utils.tensorboard or tensorboardX write")
    return DataError(f"the TensorBoard event file {path.name} is corrupt: {what}", where,
                     "remove the file, or copy it again from where the run wrote it")


def _cut_short(path: Path, pos: int, count: int) -> None:
    if count == 0:
        raise _corrupt(path, pos, 0, "its first record is cut short")
    warn(f"the last record of the TensorBoard event file {path} is cut short (a run still "
         f"writing, or killed); the {count} records before it are read")


def read_events(files: list[tuple[Path, str]]) -> RunEvents:
    """The scalars and hyper-parameters of one run's event files; ``files`` pairs each path
    with the prefix of its tags (its folder below the run's, or nothing)."""
    event_pb2 = require("tensorboard.compat.proto.event_pb2", "tensorboard",
                        "TensorBoard event files")
    tensor_util = require("tensorboard.util.tensor_util", "tensorboard",
                          "TensorBoard event files")
    found = RunEvents()
    for path, prefix in files:
        for record in records(path):
            try:
                event = event_pb2.Event.FromString(record)
            except Exception as exc:  # protobuf's DecodeError; its module differs by version
                raise _corrupt(path, 0, 1, f"a record is not an Event ({exc})") from None
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                _take(found, value, prefix, event, tensor_util)
    return found


def _take(found: RunEvents, value: Any, prefix: str, event: Any, tensor_util: Any) -> None:
    kind = value.WhichOneof("value")
    plugin = value.metadata.plugin_data.plugin_name
    if plugin == "hparams":
        found.hparams.update(_hparams(value.metadata.plugin_data.content))
        return
    if kind == "simple_value":
        number = float(value.simple_value)
    elif (kind == "tensor" and value.tensor.dtype in _NUMERIC_DTYPES
          and not value.tensor.tensor_shape.dim):
        number = float(tensor_util.make_ndarray(value.tensor).item())
    else:  # images, histograms, text: not a scalar
        return
    tag = prefix + value.tag
    found.scalars.setdefault(tag, []).append((float(event.step), event.wall_time, number))


def _hparams(content: bytes) -> dict[str, Any]:
    """The hyper-parameters a session-start record of the hparams plugin holds."""
    plugin_data = require("tensorboard.plugins.hparams.plugin_data_pb2", "tensorboard",
                          "TensorBoard event files")
    data = plugin_data.HParamsPluginData.FromString(content)
    if not data.HasField("session_start_info"):
        return {}
    out: dict[str, Any] = {}
    for name, value in data.session_start_info.hparams.items():
        kind = value.WhichOneof("kind")
        if kind is not None:
            out[name] = getattr(value, kind)
    return out
