// Public projects by stage: a pie beside the table, from the page's json_script data.
(function () {
  const holder = document.getElementById("status-chart");
  const source = document.getElementById("status-data");
  if (!holder || !source) return;
  const data = JSON.parse(source.textContent);
  if (!data.length) { holder.remove(); return; }
  const chart = echarts.init(holder);
  chart.setOption({
    animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
