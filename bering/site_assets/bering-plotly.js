/* Draws every plotly chart of a page from the JSON the site stored beside it.
   A chart is <div class="plotly-graph-div" data-figure="ID"> followed by
   <script type="application/json" id="ID-spec">{"data":..., "layout":..., "config":...}</script>:
   data, never code, so nothing from a notebook runs as script. */
(function () {
  "use strict";
  /* Plotly does not wrap text: on a narrow screen, break the title and the source line into
     lines that fit, and make room for the extra lines. */
  function wrap(text, chars) {
    var words = String(text).split(/<br>|\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > chars) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function fit(layout, width) {
    var margin = layout.margin || {};
    var title = layout.title && layout.title.text;
    if (title) {
      var size = (layout.title.font && layout.title.font.size) || (layout.font && layout.font.size) || 14;
      var tl = wrap(title, Math.max(20, Math.floor((width - 30) / (size * 0.62))));
      layout.title.text = tl.join("<br>");
      margin.t = Math.max(margin.t || 80, 40 + tl.length * size * 1.3);
    }
    (layout.annotations || []).forEach(function (a) {
      if (a.name !== "source_line") { return; }
      var size = (a.font && a.font.size) || 12;
      var old = String(a.text).split("<br>").length;
      var sl = wrap(a.text, Math.max(16, Math.floor((width - (margin.l || 70) - 110) / (size * 0.6))));
      a.text = sl.join("<br>");
      var extra = (sl.length - old) * size * 1.5;
      if (extra > 0) { margin.b = (margin.b || 90) + extra; a.yshift = (a.yshift || 0) - extra; }
    });
    layout.margin = margin;
  }
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("div.plotly-graph-div[data-figure]").forEach(function (div) {
      var holder = document.getElementById(div.getAttribute("data-figure") + "-spec");
      if (!holder) { return; }
      var spec = JSON.parse(holder.textContent);
      var layout = spec.layout || {};
      layout.autosize = true;
      delete layout.width;
      if (div.clientWidth && div.clientWidth < 700) {
        fit(layout, div.clientWidth);
        var added = (layout.margin.t || 0) + (layout.margin.b || 0) - 170;
        if (added > 0) { div.style.height = (div.clientHeight + added) + "px"; }
      }
      Plotly.newPlot(div, spec.data || [], layout, spec.config || {});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
