(function () {
  // Working days per month on the schedule shown, beside the provisional calendar's.
  const element = document.getElementById("chart-workdays");
  const source = document.getElementById("workdays-data");
  if (!element || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const chart = echarts.init(element);
  chart.setOption({
    animation,
    color: ["#0d6efd", "#adb5bd"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 36, right: 12, top: 32, bottom: 24 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map((s) => ({ name: s.name, type: "bar", data: s.data, barMaxWidth: 18 })),
  });
  window.addEventListener("resize", () => chart.resize());
})();
