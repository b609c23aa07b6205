// Completion against plan: one bar chart per breakdown, drawn from the panel's json_script data.
// The panel is swapped by htmx when a tab is chosen, so the chart is drawn again after each swap.
(function () {
  let chart = null;
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Yinchuan's traffic lights: 10–30 points behind time progress yellow, more than 30 red.
  function colour(points) {
    if (points === null || points === undefined) return "#adb5bd";
    if (points < -30) return "#c62828";
    if (points < -10) return "#e0a800";
    return "#2e7d32";
  }

  function draw() {
    const holder = document.getElementById("completion-chart");
    const source = document.getElementById("completion-data");
    if (chart) { chart.dispose(); chart = null; }
    if (!holder || !source) return;
    const data = JSON.parse(source.textContent);
    const rows = data.rows;
    const num = (v) => (v === null || v === undefined ? null : Number(v));
    chart = echarts.init(holder);
    chart.setOption({
      animation,
      grid: { left: 8, right: 48, top: 48, bottom: 8, containLabel: true },
      legend: {
        top: 0,
        data: [
          { name: data.labels.rate, itemStyle: { color: "#2e7d32" } },
          { name: data.labels.timeProgress, itemStyle: { color: "#8b1a1a" } },
        ],
      },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter(items) {
          const row = rows[items[0].dataIndex];
          const rate = row.rate === null ? "—" : row.rate + "%";
          return `<b>${echarts.format.encodeHTML(row.name)}</b><br>` +
            `${data.labels.rate}：${rate}<br>${data.labels.timeProgress}：${row.timeProgress}%<br>` +
            `${data.labels.plan}：${Number(row.plan).toLocaleString()}<br>` +
            `${data.labels.ytd}：${Number(row.ytd).toLocaleString()}`;
        },
      },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: {
        type: "category", inverse: true, data: rows.map((r) => r.name),
        axisLabel: { width: 110, overflow: "truncate" },
      },
      series: [
        {
          name: data.labels.rate,
          type: "bar",
          barMaxWidth: 22,
          cursor: "pointer",
          data: rows.map((r) => ({ value: num(r.rate), itemStyle: { color: colour(num(r.points)) } })),
          label: {
            show: true, position: "insideRight", color: "#fff", fontSize: 11,
            // The rate as the table prints it ("78.0%"), not as the number the bar is drawn from ("78%").
            formatter: (p) => (rows[p.dataIndex].rate === null ? "" : rows[p.dataIndex].rate + "%"),
          },
          markLine: {
            symbol: "none",
            silent: true,
            lineStyle: { color: "#8b1a1a", type: "dashed", width: 2 },
            label: { formatter: `${data.labels.timeProgress} ${data.timeProgress}%`, position: "start" },
            data: [{ xAxis: num(data.timeProgress) }],
          },
        },
        {
          // Each group's own time progress: it differs from the city's where monthly curves are set.
          name: data.labels.timeProgress,
          type: "scatter",
          symbol: "rect",
          symbolSize: [3, 18],
          itemStyle: { color: "#8b1a1a" },
          data: rows.map((r) => num(r.timeProgress)),
        },
      ],
    });
    chart.on("click", (params) => {
      const row = rows[params.dataIndex];
      if (row && row.link) window.location.href = row.link;
    });
  }

  // A click anywhere on a table row goes where the row's link goes.
  document.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a")) return;
    window.location.href = row.dataset.href;
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id !== "completion-panel") return;
    draw();
    // On a phone the tab bar scrolls sideways: keep the chosen tab in sight.
    const active = event.target.querySelector(".kp-tabs .active");
    if (active) active.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
  window.addEventListener("resize", () => chart && chart.resize());
  draw();
})();
