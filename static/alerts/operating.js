// An operating project's monthly output against the monthly average of its yearly target.
(function () {
  const holder = document.getElementById("operating-chart");
  const source = document.getElementById("operating-data");
  if (!holder || !source) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(holder);
  const series = [
    { name: data.labels.output, type: "bar", barMaxWidth: 24, itemStyle: { color: "#2e7d32" }, data: data.output.map(Number) },
  ];
  if (data.target !== null) {
    series.push({
      name: data.labels.target, type: "line", symbol: "none", lineStyle: { type: "dashed", color: "#8b1a1a" },
      data: data.months.map(() => Number(data.target)),
    });
  }
  chart.setOption({
    animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series,
  });
  window.addEventListener("resize", () => chart.resize());
})();
