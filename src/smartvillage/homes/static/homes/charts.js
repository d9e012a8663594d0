// Charts (Chart.js) from JSON printed beside them; the same numbers are in a table on the page.
(function () {
  if (!window.Chart) return;
  var colours = ["#0b6e4f", "#b3261e", "#3d5a80", "#e0a100", "#6a4c93", "#1982c4", "#8a5a44", "#ff595e"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var line = canvas.dataset.kind === "line";
    new Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.values,
            borderColor: s.colour || colours[i % colours.length],
            backgroundColor: s.colour || colours[i % colours.length],
            spanGaps: true,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: line ? { y: { min: 0, max: 100 } } : { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  });
})();
