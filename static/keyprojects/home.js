(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const stages = echarts.init(document.getElementById("chart-stages"));
  stages.setOption({
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: data.stages.filter(d => d.value > 0), label: { formatter: "{b}\n{c}" } }],
  });
  const districts = echarts.init(document.getElementById("chart-districts"));
  districts.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 16, top: 8, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.districts.map(d => d.name) },
    series: [{ type: "bar", data: data.districts.map(d => d.value), itemStyle: { color: "#8b1a1a" } }],
  });
  window.addEventListener("resize", () => { stages.resize(); districts.resize(); });
})();
