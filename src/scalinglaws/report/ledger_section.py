"""The report's forecast-ledger section: the scorecard, each observed forecast against its
outcome, and an interactive calibration plot (nominal against observed coverage)."""

from __future__ import annotations

from typing import Any

from ..ledger.score import Scorecard
from .interactive import CONFIG
from .page import figure, table, text


def scorecard_section(card: Scorecard) -> tuple[str, bool]:
    """The section's HTML and whether it holds a plot."""
    pts = card.points
    rows = []
    for r in pts.to_dict("records"):
        interval = ("" if r["lower"] != r["lower"] or r["lower"] is None else
                    f"{r['lower']:.4g} – {r['upper']:.4g} ({r['level']:.0%})")
        rows.append([str(r["id"]), text(str(r["law"])), text(str(r["target"])),
                     text(str(r["run"] or r["inputs"])), f"{r['point']:.4g}", interval,
                     f"{r['observed']:.4g}", f"{r['are']:.2%}",
                     "" if r["covered"] != r["covered"] else ("yes" if r["covered"] else "no")])
    forecasts = table(["id", "law", "target", "run or inputs", "forecast", "interval",
                       "observed", "error", "inside"], rows,
                      caption="Observed forecasts", css="scalinglaws-ledger",
                      numeric=[True, False, False, False, True, False, True, True, False])
    body = ['<section id="ledger"><h2>Forecast ledger</h2>', card._repr_html_(), forecasts]
    spec = _calibration_spec(card)
    if spec is not None:
        body.append(figure("ledger-calibration", "Calibration of the recorded intervals", spec,
                           ["Each interval read as a normal forecast in log space; a "
                            "calibrated ledger lies on the diagonal, intervals too narrow "
                            "fall below it."]))
    body.append("</section>")
    return "\n".join(body), spec is not None


def _calibration_spec(card: Scorecard) -> dict[str, Any] | None:
    curve = card.calibration()
    if not int(curve["n"].max()):
        return None
    nominal = [float(v) for v in curve["nominal"]]
    diagonal = {"type": "scatter", "mode": "lines", "name": "calibrated", "x": [0, 1],
                "y": [0, 1], "line": {"dash": "dash", "color": "#999999"}}
    observed = {"type": "scatter", "mode": "lines+markers", "name": "forecasts",
                "x": nominal, "y": [float(v) for v in curve["empirical"]],
                "marker": {"color": "#D55E00"},
                "hovertemplate": "nominal %{x:.0%}: observed %{y:.0%}<extra></extra>"}
    axis = {"range": [0, 1], "tickformat": ".0%", "zeroline": False}
    layout = {"xaxis": {**axis, "title": {"text": "nominal coverage"}},
              "yaxis": {**axis, "title": {"text": "observed coverage"}},
              "margin": {"l": 60, "r": 20, "t": 10, "b": 50}, "height": 360,
              "legend": {"x": 0.02, "y": 0.98}}
    return {"data": [diagonal, observed], "layout": layout, "config": CONFIG}
