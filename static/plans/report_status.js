(function () {
  // Each district's expected reports as one stacked bar: approved, awaiting review, returned, missing.
  const data = JSON.parse(document.getElementById("report-status-data").textContent);
  const element = document.getElementById("chart-report-status");
  if (!element || !data.districts.length) return;
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const colours = ["#198754", "#0d6efd", "#ffc107", "#dc3545"];
  const chart = echarts.init(element);
  chart.setOption({
    animation,
    color: colours,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 90, right: 16, top: 32, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.districts },
    series: data.series.map((s) => ({ name: s.name, type: "bar", stack: "total", data: s.data, barMaxWidth: 28 })),
  });
  element.style.height = Math.max(320, data.districts.length * 34 + 60) + "px";
  chart.resize();
  window.addEventListener("resize", () => chart.resize());
})();
