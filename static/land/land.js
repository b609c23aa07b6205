// Land ledger charts: completion rates per district beside the ledger table, and one project's
// monthly cumulative rates on its page. Data comes from json_script.
(function () {
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const colours = { land_acquired: "#c62828", households_signed: "#e0a800", area_demolished: "#1565c0", land_handed_over: "#2e7d32" };
  const keys = Object.keys(colours);
  const num = (v) => (v === null || v === undefined ? null : Number(v));

  const ledger = document.getElementById("land-chart");
  const ledgerData = document.getElementById("land-data");
  if (ledger && ledgerData) {
    const data = JSON.parse(ledgerData.textContent);
    const chart = echarts.init(ledger);
    chart.setOption({
      animation,
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, data: keys.map((k) => data.labels[k]) },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => (v === null ? "—" : v + "%") },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.rows.map((r) => r.name), axisLabel: { width: 90, overflow: "truncate" } },
      series: keys.map((k) => ({
        name: data.labels[k], type: "bar", barMaxWidth: 10, itemStyle: { color: colours[k] },
        data: data.rows.map((r) => num(r[k])),
      })),
    });
    window.addEventListener("resize", () => chart.resize());
  }

  const project = document.getElementById("land-project-chart");
  const projectData = document.getElementById("land-project-data");
  if (project && projectData) {
    const data = JSON.parse(projectData.textContent);
    const chart = echarts.init(project);
    chart.setOption({
      animation,
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, data: keys.map((k) => data.names[k]) },
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : v + "%") },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: keys.map((k) => ({
        name: data.names[k], type: "line", connectNulls: true, itemStyle: { color: colours[k] },
        data: data.series[k].map(num),
      })),
    });
    window.addEventListener("resize", () => chart.resize());
  }
})();
