/* Draws the dashboard's charts from the numbers the server put in #dashboard-charts.
   Every chart has a table of the same numbers beside it: the page reads fine without this. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;  // printing and screenshots need the final picture at once

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  chart("chart-funnel", {
    type: "bar",
    data: {
      labels: data.funnel.labels,
      datasets: [{ label: source.dataset.reached || "", data: data.funnel.reached, backgroundColor: palette[0] }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

  chart("chart-rates", {
    type: "bar",
    data: {
      labels: data.rates.labels,
      datasets: data.rates.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: palette[i] };
      }),
    },
    options: {
      plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + (c.raw === null ? "—" : c.raw + "%"); } } } },
      scales: { y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: function (v) { return v + "%"; } } } },
    },
  });

  chart("chart-sources", {
    type: "doughnut",
    data: {
      labels: data.sources.labels,
      datasets: [{ data: data.sources.n, backgroundColor: palette }],
    },
    options: { plugins: { legend: { position: "right" } } },
  });

  chart("chart-weeks", {
    data: {
      labels: data.weeks.labels,
      datasets: [
        { type: "bar", label: data.weeks.leads_label, data: data.weeks.leads, backgroundColor: palette[0] },
        { type: "line", label: data.weeks.moves_label, data: data.weeks.moves, borderColor: palette[2], backgroundColor: palette[2], tension: 0.3 },
      ],
    },
    options: { plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
