"""Summary: one description of a fit, rendered as text, HTML, a JSON-ready dict or a Rich table."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from ..common.numbers import level_label, spelled
from ..exceptions import ScalingLawError

if TYPE_CHECKING:
    from rich.table import Table

    from ..engine.diagnostics import Diagnostics
    from .record import Recorded

@dataclass(frozen=True)
class ParameterRow:
    """One fitted parameter: value, standard error, bounds and whether it sits at a bound."""

    name: str
    value: float
    stderr: float
    lower: float
    upper: float
    at_bound: bool

    @property
    def bounds(self) -> str:
        """The bounds as an interval, e.g. ``[0, 10]`` or ``[0, inf)``."""
        left = "(" if math.isinf(self.lower) else "["
        right = ")" if math.isinf(self.upper) else "]"
        return f"{left}{spelled(self.lower, 'g')}, {spelled(self.upper, 'g')}{right}"


@dataclass(frozen=True)
class Summary:
    """A fit described once and rendered as text, HTML, a dict or a Rich table.

    Built with :meth:`Summary.from_fit` (``fit.summary()`` does it); ``str(summary)`` is the
    text table. ``diagnostics`` (None for fits saved before diagnostics existed) gives the
    condition number and the points per parameter shown under the status; every problem it
    found is among ``warnings``.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> summary = sl.fit("chinchilla", sl.datasets.load("chinchilla")).summary()
    >>> [row.name for row in summary.rows]
    ['A', 'B', 'E', 'alpha', 'beta']
    >>> print(summary)  # doctest: +SKIP
    """

    law: str
    formula: str
    citation: str
    target: str
    columns: tuple[tuple[str, str], ...]
    dataset: str | None
    fingerprint: str
    n_points: int
    loss: str
    delta: float
    objective: float
    status: str
    status_message: str
    warnings: tuple[str, ...]
    rows: tuple[ParameterRow, ...]
    diagnostics: Diagnostics | None = None
    #: the attached bootstrap's interval of each parameter (name, lower, upper), at
    #: ``interval_level``; empty without a bootstrap
    intervals: tuple[tuple[str, float, float], ...] = ()
    interval_level: float | None = None
    #: how the data counted params, tokens and flops (None when the data did not say)
    data_convention: str | None = None
    #: where the data come from and how they were reduced (the dataset's citation or an
    #: importer's provenance; None when the data did not say)
    data_source: str | None = None

    @classmethod
    def from_fit(cls, fit: Recorded) -> Summary:
        """Collect what a reader needs from a :class:`~scalinglaws.FitResult`."""
        at_bound = set(fit.at_bound)  # the engine's verdict: one rule for the whole project
        rows = [ParameterRow(p.name, float(fit.params[p.name]),
                             float(fit.stderr.get(p.name, math.nan)), p.lower, p.upper,
                             p.name in at_bound) for p in fit.law.parameters]
        diagnostics = fit.diagnostics
        warnings = tuple(fit.warnings)
        if diagnostics is not None:
            # the engine puts these among the warnings; a hand-made FitResult may not have.
            # (Bounds, flat directions and starts the engine words itself, in more detail.)
            warnings += tuple(m for m in diagnostics.model_messages if m not in warnings)
        return cls(
            law=fit.law.name,
            formula=fit.law.formula,
            citation=fit.law.citation,
            target=fit.target,
            columns=tuple((str(s), str(c)) for s, c in fit.columns.items()),
            dataset=fit.dataset,
            fingerprint=fit.fingerprint,
            n_points=int(fit.n_points),
            loss=fit.loss,
            delta=float(fit.delta),
            objective=float(fit.objective),
            status=fit.status.value,
            status_message=fit.status.message,
            warnings=warnings,
            rows=tuple(rows),
            diagnostics=diagnostics,
            data_convention=fit.data_convention,
            data_source=getattr(getattr(fit, "data", None), "citation", None),
            **_intervals(fit),
        )

    # -- pieces shared by the renderers ----------------------------------------------------
    def _header(self) -> list[tuple[str, str]]:
        objective = f"{self.loss} (delta={self.delta:g})" if self.loss == "huber" else self.loss
        data = self.dataset or "(unnamed)"
        head = [
            ("Law", self.law),
            ("Formula", self.formula),
            ("Citation", self.citation),
            ("Target", self.target),
            ("Inputs", ", ".join(f"{s}={c}" for s, c in self.columns)),
            ("Dataset", f"{data} (fingerprint {self.fingerprint})" if self.fingerprint else data),
            ("Data convention", self.data_convention or ""),
            ("Data source", self.data_source or ""),
            ("Observations", str(self.n_points)),
            ("Objective", f"{objective} = {spelled(self.objective)}"),
        ]
        return [(k, v) for k, v in head if v]

    def _diagnosis(self, short: bool = False) -> str | None:
        """One line: condition number, points per parameter and how many problems were found
        (None without diagnostics); ``short`` for a table caption."""
        d = self.diagnostics
        if d is None:
            return None
        cond, ppp = spelled(d.condition, ".3g"), spelled(d.points_per_parameter, ".3g")
        n = len(d.messages)
        if short:
            return f"condition {cond} · {ppp} points/param · " + (
                "ok" if n == 0 else f"{n} problem{'s' if n > 1 else ''}")
        found = ("no problems found" if n == 0 else
                 f"{n} problem{'s' if n > 1 else ''} (see warnings)")
        return f"condition number {cond}, {ppp} points per parameter; {found}"

    def _cells(self) -> list[tuple[str, str, str, str]]:
        return [(r.name + (" *" if r.at_bound else ""), spelled(r.value), spelled(r.stderr),
                 r.bounds) for r in self.rows]

    _COLUMNS = ("parameter", "value", "std. error", "bounds")

    # -- renderers ---------------------------------------------------------------------------
    def text(self) -> str:
        """A plain, aligned text table: header, parameters (6 significant digits), status."""
        cells = [self._COLUMNS, *self._cells()]
        widths = [max(len(row[i]) for row in cells) for i in range(4)]
        head = self._header()
        key_width = max(len(k) for k, _ in head) + 1
        # long values (a data source's citation) wrap under their value, not widen the table
        wrap = max(64, sum(widths) + 6) - key_width - 1
        header_lines = [f"{k + ':' if i == 0 else '':<{key_width}} {part}"
                        for k, v in head
                        for i, part in enumerate(textwrap.wrap(v, wrap, break_long_words=False,
                                                               break_on_hyphens=False) or [""])]
        width = max(64, sum(widths) + 6, *(len(line) for line in header_lines))
        lines = [f"scalinglaws fit: {self.law}".center(width).rstrip(), "=" * width,
                 *header_lines, "=" * width]
        for i, row in enumerate(cells):
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  "
                         f"{row[2]:>{widths[2]}}  {row[3]:<{widths[3]}}".rstrip())
            if i == 0:
                lines.append("-" * width)
        lines.append("=" * width)
        lines.append(f"Status: {self.status} ({self.status_message})")
        diagnosis = self._diagnosis()
        if diagnosis is not None:
            lines.append(f"Diagnostics: {diagnosis}")
        if any(r.at_bound for r in self.rows):
            lines.append("* the parameter sits at a bound")
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  [{i}] {w}" for i, w in enumerate(self.warnings, 1))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def html(self) -> str:
        """An HTML fragment (one ``<table>``); every user-supplied string is escaped."""
        out = ['<table class="scalinglaws-summary">',
               f"<caption>scalinglaws fit: {escape(self.law)}</caption>", "<tbody>"]
        out += [f'<tr><th scope="row">{escape(k)}</th><td colspan="3">{escape(v)}</td></tr>'
                for k, v in self._header()]
        out.append("<tr>" + "".join(f'<th scope="col">{c}</th>' for c in self._COLUMNS)
                   + "</tr>")
        for name, value, err, bounds in self._cells():
            out.append(f'<tr><td>{escape(name)}</td><td class="num">{value}</td>'
                       f'<td class="num">{err}</td><td>{escape(bounds)}</td></tr>')
        out.append(f'<tr><th scope="row">Status</th><td colspan="3">{escape(self.status)}: '
                   f"{escape(self.status_message)}</td></tr>")
        diagnosis = self._diagnosis()
        if diagnosis is not None:
            out.append(f'<tr><th scope="row">Diagnostics</th><td colspan="3">'
                       f"{escape(diagnosis)}</td></tr>")
        if any(r.at_bound for r in self.rows):
            out.append('<tr><td colspan="4">* the parameter sits at a bound</td></tr>')
        if self.warnings:
            items = "".join(f"<li>{escape(w)}</li>" for w in self.warnings)
            out.append(f'<tr class="warning"><th scope="row">Warnings</th><td colspan="3">'
                       f"<ul>{items}</ul></td></tr>")
        out += ["</tbody>", "</table>"]
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready dict (non-finite numbers become ``None``): a rendering
        of what the tables show (diagnostics as their verdicts), under the names of the fit's
        document; the fit itself is saved and printed by :meth:`FitResult.to_dict`."""
        return {
            "law": self.law,
            "formula": self.formula,
            "target": self.target,
            "params": {r.name: _json(r.value) for r in self.rows},
            "stderr": {r.name: _json(r.stderr) for r in self.rows},
            "at_bound": [r.name for r in self.rows if r.at_bound],
            "status": self.status,
            "n_points": self.n_points,
            "objective": _json(self.objective),
            "dataset": self.dataset,
            **({"data_convention": self.data_convention} if self.data_convention else {}),
            **({"data_source": self.data_source} if self.data_source else {}),
            "fingerprint": self.fingerprint,
            "warnings": list(self.warnings),
            "diagnostics": None if self.diagnostics is None else _diagnostics_dict(
                self.diagnostics),
        }

    def to_latex(self) -> str:
        """The parameters as a booktabs ``tabular``: estimate ± standard error, the bounds,
        and with a bootstrap attached its interval of each parameter (a ``*`` marks a
        parameter at a bound); every name escaped."""
        from ..common import latex

        header = ["parameter", "estimate", "bounds"]
        found = {name: (lo, hi) for name, lo, hi in self.intervals}
        if found and self.interval_level is not None:
            header.append(f"{level_label(self.interval_level)} interval")
        rows = []
        for r in self.rows:
            row = [r.name + (" *" if r.at_bound else ""),
                   latex.Raw(latex.plus_minus(r.value, r.stderr)), r.bounds]
            if len(header) == 4:
                lo, hi = found.get(r.name, (math.nan, math.nan))
                row.append(latex.Raw(f"[{latex.number(lo)}, {latex.number(hi)}]"))
            rows.append(row)
        return latex.tabular(header, rows, align="lrl" + "l" * (len(header) - 3))

    def rich(self) -> Table:
        """A :class:`rich.table.Table` for the terminal (user text is never read as markup)."""
        from rich.table import Table
        from rich.text import Text

        caption = Text(f"{self.formula}\n{self.n_points} points · status {self.status}")
        if self.data_convention:
            caption.append(f"\ndata convention: {self.data_convention}")
        diagnosis = self._diagnosis(short=True)
        if diagnosis is not None:
            caption.append(f"\n{diagnosis}")
        if any(r.at_bound for r in self.rows):
            caption.append("\n* the parameter sits at a bound")
        for w in self.warnings:
            caption.append(f"\nwarning: {w}", style="yellow")
        table = Table(title=Text(self.law), caption=caption)
        table.add_column(self._COLUMNS[0])
        for col in self._COLUMNS[1:3]:
            table.add_column(col, justify="right")
        table.add_column(self._COLUMNS[3])
        for cells in self._cells():
            table.add_row(*(Text(c) for c in cells))
        return table


def _intervals(fit: Recorded) -> dict[str, Any]:
    """The attached bootstrap's intervals, at its own level and method (none without one)."""
    boot = fit.uncertainty
    if boot is None:
        return {}
    try:
        found = boot.intervals(boot.level, boot.method)
    except ScalingLawError:  # BCa without the data: the percentile interval
        found = boot.intervals(boot.level)
    return {"intervals": tuple((n, float(lo), float(hi)) for n, (lo, hi) in found.items()),
            "interval_level": float(boot.level)}


def _json(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _diagnostics_dict(d: Diagnostics) -> dict[str, Any]:
    """The diagnostics as the summary shows them (non-finite numbers as ``None``)."""
    return {
        "ok": d.ok,
        "condition": _json(d.condition),
        "points_per_parameter": _json(d.points_per_parameter),
        "at_bound": list(d.at_bound),
        "flat": list(d.flat),
        "start_spread": _json(d.start_spread),
        "residual_trends": [t.column for t in d.residual_trends],
        "shapes": [{"column": s.column, "kind": s.kind} for s in d.shapes],
        "messages": d.messages,
    }
