// The warning centre: red and yellow counts per rule as stacked bars, beside the table, from the
// panel's json_script data. The panel is swapped by htmx when a filter changes, so draw again then.
(function () {
  let chart = null;
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw() {
    const holder = document.getElementById("warning-chart");
    const source = document.getElementById("warning-data");
    if (chart) { chart.dispose(); chart = null; }
    if (!holder || !source) return;
    const data = JSON.parse(source.textContent);
    chart = echarts.init(holder);
    chart.setOption({
      animation,
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.rules, axisLabel: { width: 120, overflow: "truncate" } },
      series: [
        { name: data.labels.red, type: "bar", stack: "n", barMaxWidth: 20, itemStyle: { color: "#c62828" }, data: data.red },
        { name: data.labels.yellow, type: "bar", stack: "n", barMaxWidth: 20, itemStyle: { color: "#e0a800" }, data: data.yellow },
      ],
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "warning-panel") draw();
  });
  window.addEventListener("resize", () => chart && chart.resize());
})();
