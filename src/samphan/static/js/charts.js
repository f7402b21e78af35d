// Draws every [data-chart] element from the JSON options in the <script type="application/json">
// it names: on page load, whenever HTMX swaps in new content, and once ECharts itself has
// loaded (a panel that brings its own scripts may run this file first). Charts follow the
// width of their box, phones included.
(function () {
  "use strict";
  if (window.samphanCharts) return; // a panel loaded twice brings this file twice
  const charts = new Set();

  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      if (box.dataset.drawn) return;
      const source = document.getElementById(box.dataset.chart);
      if (!source) return;
      const chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      box.dataset.drawn = "1";
      charts.add(chart);
    });
  }

  function drawWhenReady(root, tries) {
    if (window.echarts) draw(root);
    else if (tries > 0) setTimeout(function () { drawWhenReady(root, tries - 1); }, 50);
  }

  window.samphanCharts = { draw: draw };
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      if (chart.isDisposed()) charts.delete(chart);
      else chart.resize();
    });
  });
  document.addEventListener("htmx:load", function (event) { drawWhenReady(event.detail.elt, 100); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawWhenReady(document, 100); });
  } else {
    drawWhenReady(document, 100);
  }
})();
