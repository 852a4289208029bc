/* Draws every plotly chart of a page from the JSON the site stored beside it.
   A chart is <div class="plotly-graph-div" data-figure="ID"> followed by
   <script type="application/json" id="ID-spec">{"data":..., "layout":..., "config":...}</script>:
   data, never code, so nothing from a notebook runs as script. */
(function () {
  "use strict";
  /* Plotly does not wrap text: on a narrow screen, break the title into lines that fit and make
     room for them; the source line goes below the chart as text. */
  function wrap(text, chars) {
    var words = String(text).split(/<br>|\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > chars) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function fit(layout, data, width) {
    var margin = layout.margin || {};
    var title = layout.title && layout.title.text;
    if (title) {
      var size = (layout.title.font && layout.title.font.size) || (layout.font && layout.font.size) || 14;
      var tl = wrap(title, Math.max(20, Math.floor((width - 30) / (size * 0.62))));
      layout.title.text = tl.join("<br>");
      margin.t = Math.max(margin.t || 80, 40 + tl.length * size * 1.3);
    }
    /* the source line starts at the plot's left edge, which long axis labels push far right on a
       phone: there it is taken out of the chart and shown as text below it (sourceBelow) */
    var source = null;
    layout.annotations = (layout.annotations || []).filter(function (a) {
      if (a.name === "source_line") {
        source = a.text;  /* and the room kept for it under the plot is given back */
        margin.b = Math.max(60, (margin.b || 90) - 18 * String(a.text).split("<br>").length);
        return false;
      }
      return true;
    });
    /* a legend beside the plot leaves it no width on a phone: it goes below, one entry a row */
    var legend = layout.legend || {};
    var entries = 0;
    if (layout.showlegend !== false && !(typeof legend.x === "number" && legend.x < 1)) {
      entries = (data || []).filter(function (t) { return t.showlegend !== false && t.name; }).length;
      layout.legend = Object.assign({}, legend, {orientation: "v", x: 0, xanchor: "left", y: -0.12,
                                                 yanchor: "top"});
    }
    var font = layout.font || {};
    layout.font = Object.assign({}, font, {size: Math.min(font.size || 12, 11)});
    layout.margin = margin;
    return {source: source, extra: entries * 19};
  }
  /* The annotation's text is escaped HTML with <br> between lines: parsed in an inert document
     (no script runs there) and shown as plain text. */
  function sourceBelow(div, text) {
    var plain = new DOMParser().parseFromString(String(text).replace(/<br>/g, " "), "text/html");
    var p = document.createElement("p");
    p.className = "bering-chart-source";
    p.textContent = plain.documentElement.textContent;
    div.parentNode.insertBefore(p, div.nextSibling);
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
        var fitted = fit(layout, spec.data, div.clientWidth);
        if (fitted.source) { sourceBelow(div, fitted.source); }
        var added = (layout.margin.t || 0) + (layout.margin.b || 0) - 170 + fitted.extra;
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
