// Problem statistics: one stacked bar chart per breakdown (status counts) with the 办结率 line,
// drawn from the page's json_script data; a click on a bar opens the ledger filtered to it.
(function () {
  const source = document.getElementById("problem-stats-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const colours = { open: "#6c757d", handling: "#0d6efd", resolved: "#0dcaf0", closed: "#2e7d32" };
  const charts = [];

  function draw(id, rows, horizontal) {
    const holder = document.getElementById(id);
    if (!holder) return;
    const chart = echarts.init(holder);
    const names = rows.map((r) => r.name);
    const category = { type: "category", data: names, axisLabel: { width: 110, overflow: "truncate", interval: 0 } };
    const count = { type: "value", minInterval: 1 };
    const rate = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } };
    const series = ["open", "handling", "resolved", "closed"].map((key) => ({
      name: data.labels[key],
      type: "bar",
      stack: "status",
      barMaxWidth: 26,
      cursor: "pointer",
      itemStyle: { color: colours[key] },
      data: rows.map((r) => r[key]),
    }));
    if (!horizontal) {
      series.push({
        name: data.labels.rate,
        type: "line",
        yAxisIndex: 1,
        symbolSize: 7,
        itemStyle: { color: "#8b1a1a" },
        data: rows.map((r) => r.rate),
        // One decimal place, as the table prints it ("50.0%", not "50%").
        label: { show: true, formatter: (p) => (p.value === null ? "" : Number(p.value).toFixed(1) + "%"), fontSize: 10 },
      });
    }
    chart.setOption({
      animation,
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: horizontal ? count : category,
      yAxis: horizontal ? { ...category, inverse: true } : [count, rate],
      series,
    });
    chart.on("click", (params) => {
      const row = rows[params.dataIndex];
      if (row && row.link) window.location.href = data.ledger + row.link;
    });
    charts.push(chart);
  }

  draw("category-chart", data.categories, false);
  draw("level-chart", data.levels, false);
  draw("unit-chart", data.units, true);
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
