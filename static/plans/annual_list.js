// The annual list's chart: planned investment by category, in 亿元, beside the totals table.
// Drawn again after every htmx swap of the results (the filters change the totals).
(function () {
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let chart = null;

  function draw() {
    const holder = document.getElementById("chart-categories");
    const source = document.getElementById("annual-chart-data");
    if (!holder || !source || typeof echarts === "undefined") return;
    const data = JSON.parse(source.textContent);
    if (chart) chart.dispose();
    chart = echarts.init(holder);
    // Amounts come as exact 万元 strings; the chart only draws them, in 亿元.
    const yi = data.categories.map(d => Number(d.value) / 10000);
    chart.setOption({
      animation,
      tooltip: { trigger: "axis", valueFormatter: v => v.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " " + holder.dataset.unit },
      grid: { left: 64, right: 48, top: 8, bottom: 8, containLabel: false },
      xAxis: { type: "value", axisLabel: { show: false }, splitLine: { show: false } },
      yAxis: { type: "category", inverse: true, data: data.categories.map(d => d.name) },
      series: [{
        type: "bar",
        data: yi,
        barMaxWidth: 28,
        itemStyle: { color: "#8b1a1a" },
        label: { show: true, position: "right", formatter: p => p.value.toFixed(2) },
      }],
    });
  }

  draw();
  document.body.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", () => chart && chart.resize());
})();
