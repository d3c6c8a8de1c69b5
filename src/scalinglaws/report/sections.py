"""The report's sections of tables: a fit (its summary, bootstrap and plans), a joint fit
across groups, a backtest, and compute-optimal plans.

Every number goes through :func:`~scalinglaws.report.page.num` (``readable``: written out
between 10⁻³ and 10⁴, ``4.19×10⁷`` beyond), counts are whole numbers, and formulas are
typeset (:mod:`~scalinglaws.report.mathsvg`). The fit's table is its
:class:`~scalinglaws.Summary` (the one description of a fit, also behind the notebook and
command-line tables), rendered here with those numbers and that formula.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..common.numbers import ends, level_label
from ..fitting import FitResult, SharedFit, Summary
from ..validate.backtesting import Backtest
from .mathsvg import formula_html
from .page import key_value_table, num, pair, table, text, warnings_list

PLAN_KEYS = ("flops", "params", "tokens", "loss")


# -- a fit ----------------------------------------------------------------------------------
def fit_section(number: int, fit: FitResult, plans: Sequence[str]) -> str:
    """A fit's summary table, its calibration, its bootstrap intervals when it carries a
    bootstrap, and its plans."""
    parts = [f'<section id="item-{number}"><h2>{number}. {text(fit.law.name)}</h2>',
             summary_table(fit.summary(), formula_html(fit.law, f"formula-{number}"))]
    if fit.calibration is not None:
        parts.append(f'<p class="note">{text(fit.calibration.summary(0.9))}</p>')
    if fit.uncertainty is not None:
        parts.append(bootstrap_table(fit))
    parts += [*plans, "</section>"]
    return "\n".join(parts)


def summary_table(s: Summary, formula: str) -> str:
    """The Summary as one table: facts, parameters (value, standard error, bounds), status,
    diagnostics and warnings; ``formula`` is the formula's HTML."""
    objective = f"{s.loss} (delta={num(s.delta)})" if s.loss == "huber" else s.loss
    facts = [("Law", text(s.law)), ("Formula", formula),
             *([("Citation", text(s.citation))] if s.citation else []),
             ("Target", text(s.target)),
             ("Inputs", text(", ".join(f"{sym}={col}" for sym, col in s.columns))),
             ("Dataset", text(s.dataset or "(unnamed)") + (
                 f" (fingerprint <code>{text(s.fingerprint)}</code>)" if s.fingerprint else "")),
             *([("Data convention", text(s.data_convention))] if s.data_convention else []),
             ("Observations", f"{s.n_points:,}"),
             ("Objective", f"{text(objective)} = {num(s.objective)}")]
    out = ['<table class="scalinglaws-summary">',
           f"<caption>scalinglaws fit: {text(s.law)}</caption>", "<tbody>"]
    out += [f'<tr><th scope="row">{k}</th><td colspan="3">{v}</td></tr>' for k, v in facts]
    out.append('<tr><th scope="col">parameter</th><th scope="col">value</th>'
               '<th scope="col">std. error</th><th scope="col">bounds</th></tr>')
    for r in s.rows:
        left = "(" if math.isinf(r.lower) else "["
        right = ")" if math.isinf(r.upper) else "]"
        out.append(f'<tr><td>{text(r.name)}{" *" if r.at_bound else ""}</td>'
                   f'<td class="num">{num(r.value)}</td><td class="num">{num(r.stderr)}</td>'
                   f"<td>{left}{num(r.lower)}, {num(r.upper)}{right}</td></tr>")
    out.append(f'<tr><th scope="row">Status</th><td colspan="3">{text(s.status)}: '
               f"{text(s.status_message)}</td></tr>")
    d = s.diagnostics
    if d is not None:
        n = len(d.messages)
        found = "no problems found" if n == 0 else f"{n} problem{'s' if n > 1 else ''} " \
                                                   "(see warnings)"
        out.append(f'<tr><th scope="row">Diagnostics</th><td colspan="3">condition number '
                   f"{num(d.condition)}, {num(d.points_per_parameter)} points per parameter; "
                   f"{found}</td></tr>")
    if any(r.at_bound for r in s.rows):
        out.append('<tr><td colspan="4">* the parameter sits at a bound</td></tr>')
    if s.warnings:
        items = "".join(f"<li>{text(w)}</li>" for w in s.warnings)
        out.append(f'<tr class="warning"><th scope="row">Warnings</th><td colspan="3">'
                   f"<ul>{items}</ul></td></tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def bootstrap_table(fit: FitResult) -> str:
    """The bootstrap's estimate, standard deviation and 95% percentile interval per
    parameter."""
    boot = fit.uncertainty
    assert boot is not None
    frame = boot.summary_frame(0.95)
    unit = f"clusters of '{boot.by}'" if boot.by else "points"
    caption = text(f"Bootstrap: {boot.n:,} resamples of {boot.n_clusters:,} {unit} "
                   f"({boot.n_failed:,} failed); 95% percentile intervals")
    rows = [[text(r.parameter), num(r.estimate), num(r.sd), *ends(r.lower, r.upper, 4)]
            for r in frame.itertuples()]
    return table(["parameter", "estimate", "bootstrap sd", "lower", "upper"], rows,
                 caption=caption, css="scalinglaws-bootstrap",
                 numeric=[False, True, True, True, True])


# -- a joint fit ----------------------------------------------------------------------------
def shared_section(number: int, fit: SharedFit, plans: Sequence[str]) -> str:
    """A joint fit across groups: per group its parameters (± standard error) and size."""
    names = list(fit.law.parameter_names)
    head = [text(fit.by), "points"] + [text(n) + (" (shared)" if n in fit.shared else "")
                                       for n in names]
    params, stderr = fit.params, fit.stderr
    rows = [[text(g), f"{size:,}"] + [f"{num(params[g][n])} ± {num(stderr[g][n], 2)}"
                                      for n in names]
            for g, size in zip(fit.groups, fit.group_sizes, strict=True)]
    info = [("Formula", formula_html(fit.law, f"formula-{number}")),
            ("Shared", text(", ".join(fit.shared) or "none")),
            ("Status", text(f"{fit.status.value}: {fit.status.message}")),
            ("Objective", f"{text(fit.joint.loss)} = {num(fit.joint.objective)}")]
    parts = [f'<section id="item-{number}"><h2>{number}. {text(fit.law.name)}: joint fit '
             f"across {text(fit.by)}</h2>",
             table(head, rows, caption=text(f"scalinglaws joint fit: {fit.law.name}"),
                   css="scalinglaws-shared",
                   numeric=[False, True] + [True] * len(names)),
             key_value_table(info), warnings_list(fit.warnings), *plans, "</section>"]
    return "\n".join(p for p in parts if p)


# -- a backtest -----------------------------------------------------------------------------
def backtest_section(number: int, bt: Backtest) -> str:
    """A backtest's scores (its notebook table) and one row per fold."""
    rows = [[text(f.label), f"{f.n_train:,}", f"{f.n_test:,}", text(f.fit.status.value),
             ", ".join(f"{text(k)} = {num(v)}" for k, v in f.fit.params.items())]
            for f in bt.folds]
    folds = table(["fold", "fitted rows", "scored rows", "status", "parameters"], rows,
                  caption="Folds", css="scalinglaws-folds",
                  numeric=[False, True, True, False, False])
    return "\n".join([f'<section id="item-{number}"><h2>{number}. Backtest of '
                      f"{text(bt.law)}</h2>", bt._repr_html_(), folds, "</section>"])


# -- plans ----------------------------------------------------------------------------------
def plan_table(rows: Sequence[Mapping[str, Any]], caption: str = "Compute-optimal allocation",
               level: float | None = None) -> str:
    """Compute-optimal rows (flops, params, tokens, loss; optionally ``*_interval`` pairs, the
    ``extrapolation`` factor and a calibrated ``loss_forecast`` pair); every interval column
    says its kind."""
    head = ["training compute C (FLOPs)", "parameters N", "tokens D", "tokens per parameter",
            "predicted loss"]
    beyond = all("extrapolation" in r for r in rows) and bool(rows)
    forecast = level is not None and bool(rows) and all("loss_forecast" in r for r in rows)
    intervals = level is not None and all("params_interval" in r for r in rows)
    pct = level_label(level) if level is not None else ""
    if beyond:
        head.append("beyond the data")
    if forecast:
        head.append(f"loss {pct} interval (calibrated on backtests)")
    if intervals:
        head += [f"N {pct} interval (parameter-only)", f"D {pct} interval (parameter-only)",
                 f"loss {pct} interval (parameter-only)"]
    body = []
    for row in rows:
        c, n, d, loss = (float(row[k]) for k in PLAN_KEYS)
        cells = [num(c), num(n), num(d), num(d / n if n else math.nan), num(loss)]
        if beyond:
            factor = float(row["extrapolation"])
            cells.append("inside" if factor <= 1.0 else f"{num(factor, 2)}×")
        if forecast:
            cells.append(pair(*row["loss_forecast"]))
        if intervals:
            cells += [pair(*row[k]) for k in ("params_interval", "tokens_interval",
                                             "loss_interval")]
        body.append(cells)
    return table(head, body, caption=text(caption), css="scalinglaws-plan",
                 numeric=[True] * len(head))
