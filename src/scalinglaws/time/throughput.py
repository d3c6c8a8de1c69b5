"""Step time from a model's shape and batch: the cost model
``t = a·FLOPs/peak + b·bytes/bandwidth + c`` fitted on measured steps by non-negative least
squares (scipy's ``nnls``), and its saved (JSON) form.

``a`` is the inverse of the FLOP utilisation the compute-bound part reaches (a = 2: half of
the peak), ``b`` the same for memory traffic, ``c`` a fixed cost per step in seconds (kernel
launches, communication not overlapped, the data loader). The three are non-negative: a step
never gets faster with more work. The fit weighs each step by its relative error (the rows
are divided by the measured time), so a 10-ms step counts as much as a 10-s one.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..arch import Transformer
from ..common.checks import positive_number
from ..common.display import html_pairs, text_pairs
from ..common.numbers import readable
from ..exceptions import DataError, OptionError
from .measurements import checked_steps, read_steps
from .traffic import step_costs

#: the defaults: one H100 SXM, dense bf16 peak and HBM3 bandwidth (NVIDIA's data sheet)
H100_PEAK_FLOPS = 989e12
H100_BANDWIDTH = 3.35e12


@dataclass(frozen=True)
class Throughput:
    """A fitted (or given) cost model of one training step on some hardware: seconds per
    step ``a·flops/peak_flops + b·bytes/bandwidth + c``, with the fit's quality."""

    a: float
    b: float
    c: float
    peak_flops: float = H100_PEAK_FLOPS
    bandwidth: float = H100_BANDWIDTH
    n_points: int = 0
    r2: float = math.nan
    rel_rmse: float = math.nan
    max_rel_error: float = math.nan

    def __post_init__(self) -> None:
        for name in ("peak_flops", "bandwidth"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise OptionError(f"the throughput's {name} must be positive, got {value!r}",
                                  f"cost model, field '{name}'", "give the hardware's "
                                  "peak FLOP/s and memory bandwidth in bytes/s, e.g. "
                                  "989e12 and 3.35e12 for an H100")
        for name in ("a", "b", "c"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise OptionError(f"the cost model's coefficient {name} must be a "
                                  f"non-negative number, got {value!r}",
                                  f"cost model, field '{name}'",
                                  "fit it with sl.time.fit_throughput")
        if self.a == 0 and self.b == 0:
            raise OptionError("the cost model's step time does not grow with FLOPs or memory "
                              "traffic (a = b = 0)", "cost model, fields 'a' and 'b'",
                              "fit it on steps of several sizes")

    def seconds(self, flops: Any, moved: Any) -> Any:
        """Seconds of a step that does ``flops`` FLOPs and moves ``moved`` bytes."""
        return (self.a * np.asarray(flops, dtype=float) / self.peak_flops
                + self.b * np.asarray(moved, dtype=float) / self.bandwidth + self.c)

    def step_time(self, shape: Transformer | list[Transformer], batch_size: Any,
                  seq_len: Any) -> Any:
        """Seconds per training step of ``shape`` (or of each of a list of shapes)."""
        shapes = shape if isinstance(shape, list) else [shape]
        flops, moved = step_costs(shapes, batch_size, seq_len)
        out = self.seconds(flops, moved)
        return out if isinstance(shape, list) else float(out[0])

    def _facts(self) -> list[tuple[str, str]]:
        facts = [("step time", "a·FLOPs/peak + b·bytes/bandwidth + c"),
                 ("a (FLOP term)", f"{self.a:.4g}"), ("b (memory term)", f"{self.b:.4g}"),
                 ("c (seconds per step)", f"{self.c:.4g}"),
                 ("peak FLOP/s", readable(self.peak_flops)),
                 ("bandwidth (bytes/s)", readable(self.bandwidth))]
        if self.n_points:
            facts += [("measured steps", str(self.n_points)), ("R²", f"{self.r2:.4f}"),
                      ("relative RMS error", f"{self.rel_rmse:.2%}"),
                      ("largest relative error", f"{self.max_rel_error:.2%}")]
        return facts

    def __str__(self) -> str:
        return "step-time cost model\n" + text_pairs(self._facts())

    def _repr_html_(self) -> str:
        return html_pairs(self._facts(), caption="step-time cost model")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "throughput", **asdict(self)}
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in out.items()}

    @classmethod
    def from_dict(cls, document: Any) -> Throughput:
        """The cost model of :meth:`to_dict`'s document."""
        if not isinstance(document, dict) or not {"a", "b", "c"} <= set(document):
            raise DataError("not a step-time cost model (no fields a, b, c)", "throughput "
                            "document", "write it with sl.time.fit_throughput(...).save(path)"
                            " or scalinglaws time fit STEPS.csv --out tp.json")
        fields = {k: document[k] for k in cls.__dataclass_fields__ if k in document}
        fields = {k: (math.nan if v is None else v) for k, v in fields.items()}
        return cls(**fields)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Throughput:
        """The cost model saved at ``path`` (JSON)."""
        try:
            document = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise DataError(f"no file '{path}'", "the cost model's file",
                            "give the JSON a throughput fit saved") from None
        except json.JSONDecodeError as exc:
            raise DataError(f"'{path}' is not JSON ({exc.msg})", "the cost model's file",
                            "give the JSON a throughput fit saved") from None
        return cls.from_dict(document)


def fit_throughput(measurements: Any, *, peak_flops: float = H100_PEAK_FLOPS,
                   bandwidth: float = H100_BANDWIDTH) -> Throughput:
    """Fit ``a, b, c >= 0`` of the step-time cost model on measured steps.

    ``measurements``: a DataFrame or CSV path with columns n_layers, d_model, n_heads, vocab
    (optionally the other fields of :class:`scalinglaws.arch.Transformer`), batch_size,
    seq_len and step_time (seconds). ``peak_flops`` (FLOP/s) and ``bandwidth`` (bytes/s)
    set the units of ``a`` and ``b``.
    """
    peak = positive_number(peak_flops, "peak_flops", "give the hardware's peak FLOP/s, "
                           "e.g. 989e12 (H100, bf16 dense)")
    band = positive_number(bandwidth, "bandwidth", "give the memory bandwidth in bytes/s, "
                           "e.g. 3.35e12 (H100)")
    from scipy.optimize import nnls

    shapes, batch, seq, seconds = checked_steps(read_steps(measurements))
    flops, moved = step_costs(shapes, batch, seq)
    design = np.column_stack([flops / peak, moved / band, np.ones_like(seconds)])
    coef, _ = nnls(design / seconds[:, None], np.ones_like(seconds))
    fitted = design @ coef
    # the work-dependent part of the fitted time: under 1% on every step, the fit is a
    # constant (all in c) that cannot price a model of another size
    if coef[0] == coef[1] == 0 or np.max(1.0 - coef[2] / fitted) < 0.01:
        raise DataError("the measured step times do not grow with the steps' FLOPs or "
                        "memory traffic", "argument 'measurements'", "measure steps of "
                        "several model sizes and batch sizes")
    rel = fitted / seconds - 1.0
    ss_res = float(np.sum((seconds - fitted) ** 2))
    ss_tot = float(np.sum((seconds - seconds.mean()) ** 2))
    return Throughput(float(coef[0]), float(coef[1]), float(coef[2]), peak, band,
                      n_points=len(seconds),
                      r2=1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan,
                      rel_rmse=float(np.sqrt(np.mean(rel**2))),
                      max_rel_error=float(np.max(np.abs(rel))))
