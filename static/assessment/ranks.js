// Rank over the periods as line charts: one chart per element with data-rank-source naming the id of
// its json_script data ({"periods": [...], "series": [{"name", "data": [rank or null]}]}). Rank 1 at
// the top; a gap where a unit had no score.
(function () {
  const charts = [];
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw() {
    document.querySelectorAll("[data-rank-source]").forEach((holder) => {
      const source = document.getElementById(holder.dataset.rankSource);
      if (!source) return;
      const data = JSON.parse(source.textContent);
      const chart = echarts.init(holder);
      chart.setOption({
        animation,
        grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.periods, boundaryGap: false },
        yAxis: { type: "value", inverse: true, min: 1, minInterval: 1, name: holder.dataset.axisName || "" },
        series: data.series.map((s) => ({ name: s.name, type: "line", connectNulls: false, data: s.data })),
      });
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
