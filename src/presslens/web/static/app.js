/* PressLens web app: draws the charts described by each canvas's data-chart attribute (Chart.js, served from
   /static). The pages read without it: every chart has its numbers in a list or a table beside it. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var css = getComputedStyle(document.documentElement);
  function v(name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; }
  var fg = v("--fg", "#1d1d1f"), line = v("--line", "#dcdcdc"), accent = v("--accent", "#2a6fdb");
  Chart.defaults.color = fg;
  Chart.defaults.borderColor = line;
  Chart.defaults.font.family = "system-ui, sans-serif";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    var horizontal = !!spec.horizontal;
    var datasets = (spec.datasets || []).map(function (d) {
      return { label: d.label, data: d.data, backgroundColor: accent, borderColor: accent, borderWidth: 1 };
    });
    new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels || [], datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, autoSkip: true, maxRotation: 60 } },
          y: { beginAtZero: true, ticks: { precision: 0, autoSkip: !horizontal } }
        }
      }
    });
  });
})();
