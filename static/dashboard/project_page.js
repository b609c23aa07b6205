// The project page's small chart: this year's monthly completed investment (bars), its running total
// and the planned running total (lines), in 万元, from the json_script beside the months table.
(function () {
  const source = document.getElementById("plan-data");
  const holder = document.getElementById("plan-chart");
  if (!source || !holder) return;
  const data = JSON.parse(source.textContent);
  const L = data.labels;
  const num = (v) => (v === null || v === undefined ? null : Number(v));
  const money = (v) => (v === null || v === undefined ? "—" : `${Number(v).toLocaleString()} ${L.unit}`);
  const chart = echarts.init(holder);
  chart.setOption({
    animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    legend: { top: 0 },
    grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", valueFormatter: money },
    xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 11 } },
    yAxis: { type: "value", name: L.unit, axisLabel: { formatter: (v) => Number(v).toLocaleString() } },
    series: [
      { name: L.amount, type: "bar", data: data.amount.map(num), barMaxWidth: 18, itemStyle: { color: "#e08a8a" } },
      { name: L.ytd, type: "line", data: data.ytd.map(num), symbolSize: 6, itemStyle: { color: "#8b1a1a" },
        lineStyle: { width: 3 } },
      { name: L.planned, type: "line", data: data.planned.map(num), symbol: "none", itemStyle: { color: "#1565c0" },
        lineStyle: { type: "dashed" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
