"""Reading TensorBoard event files: the TFRecord frames, each checked against its checksums,
and the scalars and hyper-parameters of each event.

An event file is a sequence of records, each ``length (8 bytes) | CRC of length (4) | data |
CRC of data (4)`` with masked CRC-32C checksums, the data an ``Event`` protocol buffer. A
record whose checksum fails, or a file that starts with no readable record, is corrupt (a
DataError naming the file and the byte); a last record cut short is what a writer still
running (or killed) leaves, and the records before it are read, with a warning.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...common.warning import warn
from ...exceptions import DataError
from .crc import masked_crc32c, uint32_at
from .options import require

#: a record's length and the checksum of the length; the checksum of its data
_HEADER, _LENGTH, _CRC = struct.Struct("<QI"), struct.Struct("<Q"), struct.Struct("<I")
#: tensor dtypes (TensorFlow's DataType enum) whose scalar is a number
_NUMERIC_DTYPES = frozenset({1, 2, 3, 4, 5, 6, 9, 14, 17, 19, 22, 23})


@dataclass
class RunEvents:
    """What the event files of one run hold: each scalar tag's ``(step, wall_time, value)``
    points and the hyper-parameters."""

    scalars: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    hparams: dict[str, Any] = field(default_factory=dict)


def records(path: Path) -> list[bytes]:
    """The records of an event file, each checked against its two checksums."""
    data = path.read_bytes()
    size = len(data)
    starts: list[int] = []
    lengths: list[int] = []
    pos = 0
    while size - pos >= _HEADER.size:
        (length,) = _LENGTH.unpack_from(data, pos)
        if pos + _HEADER.size + length + _CRC.size > size:
            break
        starts.append(pos)
        lengths.append(length)
        pos += _HEADER.size + length + _CRC.size
    buffer = np.frombuffer(data, dtype=np.uint8)
    begin = np.asarray(starts, dtype=np.int64)
    sizes = np.asarray(lengths, dtype=np.int64)
    eight = np.full(len(begin), 8, dtype=np.int64)
    length_ok = masked_crc32c(buffer, begin, eight) == uint32_at(buffer, begin + 8)
    data_ok = (masked_crc32c(buffer, begin + _HEADER.size, sizes)
               == uint32_at(buffer, begin + _HEADER.size + sizes))
    bad = np.flatnonzero(~(length_ok & data_ok))
    if bad.size:
        i = int(bad[0])
        raise _corrupt(path, starts[i], i, "the checksum of a record's "
                       + ("length" if not length_ok[i] else "data") + " fails")
    if pos < size:  # what is left is no whole record
        _cut_short(path, buffer, pos, len(starts))
    return [data[s + _HEADER.size: s + _HEADER.size + n] for s, n in zip(starts, lengths,
                                                                          strict=True)]


def _corrupt(path: Path, pos: int, count: int, what: str) -> DataError:
    where = f"file {path}, byte {pos} (after {count} good records)"
    if count == 0:
        return DataError(f"{path.name} is not a readable TensorBoard event file: {what}",
                         where, "remove the file or write it again; an event file is "
                         "what tf.summary, torch.utils.tensorboard or tensorboardX write")
    return DataError(f"the TensorBoard event file {path.name} is corrupt: {what}", where,
                     "remove the file, or copy it again from where the run wrote it")


def _cut_short(path: Path, buffer: np.ndarray, pos: int, count: int) -> None:
    """The bytes after the last whole record: a record cut short (a warning), unless its
    length fails its checksum (a corrupt file)."""
    if len(buffer) - pos >= _HEADER.size:
        at = np.array([pos], dtype=np.int64)
        if masked_crc32c(buffer, at, np.array([8]))[0] != uint32_at(buffer, at + 8)[0]:
            raise _corrupt(path, pos, count, "the checksum of a record's length fails")
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
