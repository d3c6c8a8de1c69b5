"""HTML pieces of the report: escaping, JSON inside ``<script>``, tables and the page itself.

Every string that reaches the page from a user (run, column, file, law and dataset names, the
title, the command) goes through :func:`text` (HTML) or :func:`json_script` (data); nothing
else is interpolated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from ..common.jsonvalues import json_value
from ..common.numbers import spelled
from ..data.dataset import Dataset
from ..data.saved import data_fingerprint, same_data
from ..fitting import FitResult, SharedFit
from ..validate.backtesting import Backtest

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { font-weight: bold; text-align: left; padding: 0.3rem 0; }
code { background: #f4f4f4; padding: 0 0.2rem; overflow-wrap: anywhere; }
.warning { color: #8a4b00; }
.plot { width: 100%; height: 32rem; }
.plot.residuals { height: 20rem; }
noscript { display: block; padding: 1rem; background: #fff4e0; }
"""

#: draws every figure spec: ``<script type="application/json" data-plot="ID">`` -> div#ID
RENDER_JS = """
(function () {
  var specs = document.querySelectorAll('script[type="application/json"][data-plot]');
  for (var i = 0; i < specs.length; i++) {
    var spec = JSON.parse(specs[i].textContent);
    var target = document.getElementById(specs[i].getAttribute("data-plot"));
    Plotly.newPlot(target, spec.data, spec.layout, spec.config);
  }
})();
"""

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}


def text(value: Any) -> str:
    """A user string made safe as HTML text or as a quoted attribute value."""
    return escape(str(value), quote=True)


def plotly_text(value: Any) -> str:
    """A user string shown literally by plotly (which reads a few tags such as ``<b>`` and
    the entities ``&lt;`` ``&gt;`` ``&amp;`` in labels): ``<``, ``>`` and ``&`` as entities."""
    return escape(str(value), quote=False)


def json_for_script(document: Any) -> str:
    """JSON that cannot end its ``<script>`` element: ``<``, ``>``, ``&`` (and the two line
    separators JavaScript dislikes) written as ``\\uXXXX`` escapes; NaN and infinities as null."""
    raw = json.dumps(json_value(document), separators=(",", ":"), allow_nan=False)
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in raw)


def json_script(document: Any, plot_id: str) -> str:
    """A figure spec as inert data, drawn into ``div#plot_id`` by :data:`RENDER_JS`."""
    return (f'<script type="application/json" data-plot="{text(plot_id)}">'
            f"{json_for_script(document)}</script>")


def num(x: Any, spec: str = ".3g") -> str:
    """A number for a table cell (``nan``/``inf`` spelled out)."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return text(x)
    return spelled(value, spec)


def table(head: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str = "",
          css: str = "", numeric: Sequence[bool] | None = None) -> str:
    """A table whose cells are already-escaped HTML; ``numeric`` right-aligns columns."""
    align = list(numeric) if numeric is not None else [False] * len(head)
    out = [f'<table class="{text(css)}">' if css else "<table>"]
    if caption:
        out.append(f"<caption>{caption}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in head)
               + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        out.append("<tr>" + "".join(
            f'<td class="num">{cell}</td>' if align[i] else f"<td>{cell}</td>"
            for i, cell in enumerate(row)) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def key_value_table(rows: Sequence[tuple[str, str]], css: str = "") -> str:
    """A two-column table: escaped label, already-escaped HTML value."""
    body = "".join(f'<tr><th scope="row">{text(k)}</th><td>{v}</td></tr>' for k, v in rows)
    cls = f' class="{text(css)}"' if css else ""
    return f"<table{cls}><tbody>{body}</tbody></table>"


def warnings_list(messages: Sequence[str]) -> str:
    if not messages:
        return ""
    items = "".join(f"<li>{text(m)}</li>" for m in messages)
    return f'<ul class="warning">{items}</ul>'


PLAN_KEYS = ("flops", "params", "tokens", "loss")


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
    pct = f"{level:.0%}" if level is not None else ""
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
        ratio = d / n if n else math.nan
        cells = [f"{c:.3g}", f"{n:.3g}", f"{d:.3g}", f"{ratio:.3g}", f"{loss:.4g}"]
        if beyond:
            factor = float(row["extrapolation"])
            cells.append("inside" if factor <= 1.0 else f"{factor:.1f}×")
        if forecast:
            cells.append(_pair(row["loss_forecast"], ".4g"))
        if intervals:
            cells += [_pair(row["params_interval"], ".3g"), _pair(row["tokens_interval"], ".3g"),
                      _pair(row["loss_interval"], ".4g")]
        body.append(cells)
    return table(head, body, caption=text(caption), css="scalinglaws-plan",
                 numeric=[True] * len(head))


def _pair(pair: Sequence[float], spec: str) -> str:
    return f"{num(pair[0], spec)} – {num(pair[1], spec)}"


def document(title: str, body: Sequence[str], plotly_js: str | None) -> str:
    """The whole page; ``plotly_js`` (inlined) only when the body holds figure specs."""
    scripts: list[str] = []
    if plotly_js is not None:
        if "</script" in plotly_js.lower() or "<!--" in plotly_js:
            raise RuntimeError("the bundled plotly.js cannot be inlined safely")
        scripts = [f'<script type="text/javascript">{plotly_js}</script>',
                   f'<script type="text/javascript">{RENDER_JS}</script>']
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(title)}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>", *body, *scripts, "</body>", "</html>", "",
    ])


# -- sections ---------------------------------------------------------------------------------
def fit_section(number: int, fit: FitResult, plans: Sequence[str]) -> str:
    """A fit's summary table, its bootstrap intervals when it carries a bootstrap, its plans."""
    parts = [f"<section><h2>{number}. {text(fit.law.name)}</h2>", fit.summary().html()]
    if fit.calibration is not None:
        parts.append(f'<p class="note">{text(fit.calibration.summary(0.9))}</p>')
    boot = fit.uncertainty
    if boot is not None:
        frame = boot.summary_frame(0.95)
        unit = f"clusters of '{boot.by}'" if boot.by else "points"
        caption = text(f"Bootstrap: {boot.n} resamples of {boot.n_clusters} {unit} "
                       f"({boot.n_failed} failed); 95% percentile intervals")
        rows = [[text(r.parameter), num(r.estimate, ".6g"), num(r.sd, ".3g"),
                  num(r.lower, ".6g"), num(r.upper, ".6g")] for r in frame.itertuples()]
        parts.append(table(["parameter", "estimate", "bootstrap sd", "lower", "upper"], rows,
                           caption=caption, css="scalinglaws-bootstrap",
                           numeric=[False, True, True, True, True]))
    parts += [*plans, "</section>"]
    return "\n".join(parts)


def shared_section(number: int, fit: SharedFit, plans: Sequence[str]) -> str:
    """A joint fit across groups: per group its parameters (± standard error) and size."""
    names = list(fit.law.parameter_names)
    head = [text(fit.by), "points"] + [text(n) + (" (shared)" if n in fit.shared else "")
                                       for n in names]
    params, stderr = fit.params, fit.stderr
    rows = [[text(g), str(size)] + [f"{num(params[g][n], '.4g')} ± {num(stderr[g][n], '.2g')}"
                                    for n in names]
            for g, size in zip(fit.groups, fit.group_sizes, strict=True)]
    info = [("Formula", f"<code>{text(fit.law.formula)}</code>"),
            ("Shared", text(", ".join(fit.shared) or "none")),
            ("Status", text(f"{fit.status.value}: {fit.status.message}")),
            ("Objective", text(f"{fit.joint.loss} = {num(fit.joint.objective, '.6g')}"))]
    parts = [f"<section><h2>{number}. {text(fit.law.name)}: joint fit across "
             f"{text(fit.by)}</h2>",
             table(head, rows, caption=text(f"scalinglaws joint fit: {fit.law.name}"),
                   css="scalinglaws-shared",
                   numeric=[False, True] + [True] * len(names)),
             key_value_table(info), warnings_list(fit.warnings), *plans, "</section>"]
    return "\n".join(p for p in parts if p)


def backtest_section(number: int, bt: Backtest) -> str:
    """A backtest's scores (its notebook table) and one row per fold."""
    rows = [[text(f.label), str(f.n_train), str(f.n_test), text(f.fit.status.value),
             text(", ".join(f"{k}={v:.4g}" for k, v in f.fit.params.items()))]
            for f in bt.folds]
    folds = table(["fold", "fitted rows", "scored rows", "status", "parameters"], rows,
                  caption="Folds", css="scalinglaws-folds",
                  numeric=[False, True, True, False, False])
    return "\n".join([f"<section><h2>{number}. Backtest of {text(bt.law)}</h2>",
                      bt._repr_html_(), folds, "</section>"])


def provenance(items: Sequence[Any], datasets: Sequence[Dataset | None],
               command: str | None, now: str) -> str:
    """Where each item's data and law come from, the version, the command and the time."""
    from ..common.version import __version__

    rows: list[tuple[str, str]] = []  # (label, HTML with every user string escaped)
    for i, (item, ds) in enumerate(zip(items, datasets, strict=True), 1):
        prefix = f"{i}. " if len(items) > 1 else ""
        fit = item.joint if isinstance(item, SharedFit) else (
            item.fit if isinstance(item, Backtest) else item)
        law = item.law if isinstance(item, SharedFit) else fit.law
        name = fit.dataset or (ds.name if ds is not None else None) or "(unnamed)"
        what = "training data of the first fold" if isinstance(item, Backtest) else "dataset"
        rows.append((f"{prefix}{what}", f"{text(name)}, fingerprint "
                     f"<code>{text(fit.fingerprint or 'unknown')}</code>"))
        used = [*(str(c) for c in fit.law.inputs.values() if c), fit.target]
        if ds is not None and not same_data(ds, fit.fingerprint, used):
            shown = data_fingerprint(ds, used) if all(ds.has(c) for c in used) else (
                ds.fingerprint)
            rows.append((f"{prefix}note", f'<span class="warning">the plotted data (fingerprint '
                         f"<code>{text(shown)}</code>) are not the data this law "
                         "was fitted to</span>"))
        rows.append((f"{prefix}law", f"{text(law.name)}: <code>{text(law.expression)}</code>"))
    rows.append(("scalinglaws version", text(__version__)))
    if command:
        rows.append(("command", f"<code>{text(command)}</code>"))
    rows.append(("generated (UTC)", text(now)))
    return "<section><h2>Provenance</h2>" + key_value_table(rows) + "</section>"
