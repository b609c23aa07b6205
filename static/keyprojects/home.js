(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  // People who asked their system for less motion get the charts drawn at once.
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const stages = echarts.init(document.getElementById("chart-stages"));
  stages.setOption({
    animation,
    tooltip: { trigger: "item" },
    series: [{
      type: "pie", radius: ["32%", "55%"], data: data.stages.filter(d => d.value > 0),
      // The card column is narrow: a wider ring leaves no room and echarts cuts names to "谋…";
      // long English names ("Under construction") wrap inside a fixed width instead.
      label: { formatter: "{b}\n{c}", width: 84, overflow: "break" },
    }],
  });
  const districts = echarts.init(document.getElementById("chart-districts"));
  districts.setOption({
    animation,
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 16, top: 8, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.districts.map(d => d.name) },
    series: [{ type: "bar", data: data.districts.map(d => d.value), itemStyle: { color: "#8b1a1a" } }],
  });
  window.addEventListener("resize", () => { stages.resize(); districts.resize(); });
})();
