/* Draws every plotly chart of a page from the JSON the site stored beside it.
   A chart is <div class="plotly-graph-div" data-figure="ID"> followed by
   <script type="application/json" id="ID-spec">{"data":..., "layout":..., "config":...}</script>:
   data, never code, so nothing from a notebook runs as script. */
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("div.plotly-graph-div[data-figure]").forEach(function (div) {
      var holder = document.getElementById(div.getAttribute("data-figure") + "-spec");
      if (!holder) { return; }
      var spec = JSON.parse(holder.textContent);
      var layout = spec.layout || {};
      layout.autosize = true;
      delete layout.width;
      Plotly.newPlot(div, spec.data || [], layout, spec.config || {});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
