"""What the report's page carries besides its content: the stylesheet (light, and one for
print), the script that draws the figures, and plotly.js packed into the page.

plotly.js (about 4.8 MB) is inlined gzip-compressed and base64-encoded (about 2 MB), and
unpacked in the browser with ``DecompressionStream`` (Chrome 80, Firefox 113, Safari 16.4 and
later): the page still needs no network, and the room left under 5 MB holds the runs. A
browser without ``DecompressionStream`` says so on the page instead of drawing.
"""

from __future__ import annotations

import base64
import functools
import gzip

#: the light stylesheet (the figures are drawn on white; dark mode does not invert them)
STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; background: #fff;
       line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
p.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { font-weight: bold; text-align: left; padding: 0.3rem 0; }
code { background: #f4f4f4; padding: 0 0.2rem; overflow-wrap: anywhere; }
svg.formula { vertical-align: middle; overflow: visible; }
p.note { color: #555; font-size: 0.88rem; }
.warning { color: #8a4b00; }
figure.figure { margin: 1.5rem 0; }
figure.figure figcaption { font-weight: 600; margin-bottom: 0.3rem; min-height: 1.8rem;
                           padding-right: 14rem; }
/* plotly's toolbar sits in the caption's row, clear of the legend above the plot */
.plot .modebar-container { top: -2.1rem !important; }
figure.figure p.note { margin: 0.2rem 0; }
.plot { width: 100%; height: 30rem; }
.plot.with-residuals { height: 42rem; }
noscript, #plot-status { display: block; padding: 1rem; background: #fff4e0; }
#plot-status[hidden] { display: none; }
@media print {
  @page { margin: 15mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; }
  h2 { break-after: avoid; }
  figure.figure, table, svg.formula { break-inside: avoid; }
  figure.figure figcaption { padding-right: 0; }
  .plot { height: 16cm; }
  .plot.with-residuals { height: 21cm; }
  .modebar-container, noscript, #plot-status { display: none !important; }
  code, th { background: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

#: unpacks plotly.js (``#plotly-js``), then draws every figure spec
#: (``<script type="application/json" data-plot="ID">`` -> ``div#ID``); when all are drawn it
#: sets ``window.scalinglawsDrawn`` (ms since navigation) and ``<html data-plots="drawn">``
RENDER_JS = """
(function () {
  "use strict";
  var PRINT_WIDTH = 680;
  function say(message) {
    var status = document.getElementById("plot-status");
    if (status) { status.textContent = message; status.hidden = false; }
  }
  function plots() { return document.querySelectorAll(".js-plotly-plot"); }
  function unpack(text) {
    var raw = atob(text.trim()), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function draw() {
    var specs = document.querySelectorAll('script[type="application/json"][data-plot]');
    var drawn = [];
    for (var i = 0; i < specs.length; i++) {
      var spec = JSON.parse(specs[i].textContent);
      var target = document.getElementById(specs[i].getAttribute("data-plot"));
      drawn.push(window.Plotly.newPlot(target, spec.data, spec.layout, spec.config));
    }
    return Promise.all(drawn);
  }
  function forPrint() {
    plots().forEach(function (gd) { window.Plotly.relayout(gd, {width: PRINT_WIDTH}); });
  }
  function forScreen() {
    plots().forEach(function (gd) {
      window.Plotly.relayout(gd, {width: null, autosize: true});
    });
  }
  var packed = document.getElementById("plotly-js");
  if (!packed) { return; }
  if (typeof DecompressionStream === "undefined") {
    say("This browser cannot unpack the plots (it lacks DecompressionStream: use Chrome 80, " +
        "Firefox 113, Safari 16.4 or later). The tables below are complete.");
    return;
  }
  unpack(packed.textContent).then(function (code) {
    var script = document.createElement("script");
    script.textContent = code;
    document.head.appendChild(script);
    return draw();
  }).then(function () {
    window.scalinglawsDrawn = performance.now();
    document.documentElement.setAttribute("data-plots", "drawn");
    window.addEventListener("beforeprint", forPrint);
    window.addEventListener("afterprint", forScreen);
  }).catch(function (error) {
    say("The plots could not be drawn: " + error);
  });
})();
"""


@functools.lru_cache(maxsize=1)
def plotly_packed() -> str:
    """plotly.js (the one plotly's Python package bundles), gzip-compressed and base64-encoded;
    deterministic (no time stamp in the gzip header)."""
    from plotly.offline import get_plotlyjs

    raw = get_plotlyjs().encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def unpacked(packed: str) -> str:
    """The text :func:`plotly_packed` packed (what the browser runs)."""
    return gzip.decompress(base64.b64decode(packed)).decode("utf-8")
