// The cockpit: six charts drawn from the json_script data; every bar, point and slice opens the list
// behind it. On the meeting-room screen (body[data-theme=dark]) the charts are dark with large type,
// and the page reloads itself every data-refresh seconds.
(function () {
  const source = document.getElementById("cockpit-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const L = data.labels;
  const dark = document.body.dataset.theme === "dark";
  const big = dark ? 16 : 12;
  const text = dark ? "#e6edf7" : "#333";
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const charts = [];
  const num = (v) => (v === null || v === undefined ? null : Number(v));
  const yi = (wan) => (Number(wan) / 10000).toFixed(2);
  const esc = (s) => echarts.format.encodeHTML(String(s));
  const base = { animation, backgroundColor: "transparent", textStyle: { fontSize: big, color: text } };

  // A font size at which N category labels fit, one per row, in the height of #ID less RESERVE pixels
  // (axis, legend): on the screen the charts take the height the page leaves them, not their own.
  function fitted(id, n, reserve) {
    const holder = document.getElementById(id);
    if (!holder || !n) return big;
    return Math.max(10, Math.min(big, Math.floor((holder.clientHeight - reserve) / n) - 3));
  }

  function make(id, option, links) {
    const holder = document.getElementById(id);
    if (!holder) return null;
    const chart = echarts.init(holder, dark ? "dark" : null);
    chart.setOption({ ...base, ...option });
    chart.on("click", (params) => {
      const link = links(params);
      if (link) window.location.href = link;
    });
    charts.push(chart);
    return chart;
  }

  // Yinchuan's traffic lights: 10–30 points behind time progress yellow, more than 30 red.
  function colour(points) {
    if (points === null || points === undefined) return "#adb5bd";
    if (points < -30) return "#c62828";
    if (points < -10) return "#e0a800";
    return "#2e7d32";
  }

  // Cumulative investment by month: this year, the plan, last year (亿元 on the axis, 万元 exact in data).
  const curve = data.curve;
  make(
    "chart-curve",
    {
      legend: { top: 0, type: "scroll", textStyle: { color: text, fontSize: big } },
      grid: { left: 8, right: 16, top: 60, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        valueFormatter: (v) => (v === null || v === undefined ? "—" : `${yi(v)} ${L.yiUnit}`),
      },
      xAxis: { type: "category", data: curve.months, axisLabel: { fontSize: big } },
      yAxis: { type: "value", name: L.yiUnit, axisLabel: { fontSize: big, formatter: (v) => yi(v) } },
      series: [
        { name: L.thisYear, type: "line", data: curve.thisYear.map(Number), symbolSize: 9, cursor: "pointer",
          lineStyle: { width: 3 }, itemStyle: { color: "#c62828" }, areaStyle: { opacity: 0.08 } },
        { name: L.plan, type: "line", data: curve.plan.map(Number), symbolSize: 6, cursor: "pointer",
          lineStyle: { type: "dashed" }, itemStyle: { color: "#1565c0" } },
        { name: L.lastYear, type: "line", data: curve.lastYear.map(Number), symbolSize: 6, cursor: "pointer",
          itemStyle: { color: "#8d8d8d" } },
      ],
    },
    (p) => [curve.links.thisYear, curve.links.plan, curve.links.lastYear][p.seriesIndex][p.dataIndex],
  );

  // Completion rate by district, best first, coloured against time progress.
  const districts = data.districts;
  make(
    "chart-districts",
    {
      grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter(items) {
          const r = districts[items[0].dataIndex];
          return `<b>${esc(r.name)}</b><br>${L.rate}：${r.rate === null ? "—" : r.rate + "%"}<br>` +
            `${L.timeProgress}：${r.timeProgress}%<br>${L.plan_wan}：${Number(r.plan).toLocaleString()}<br>` +
            `${L.ytd_wan}：${Number(r.ytd).toLocaleString()}<br>${L.entries}：${r.entries}`;
        },
      },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%", fontSize: big } },
      yAxis: {
        type: "category", inverse: true, data: districts.map((r) => r.name),
        axisLabel: { width: 120, overflow: "truncate", interval: 0, fontSize: fitted("chart-districts", districts.length, 60) },
      },
      series: [{
        name: L.rate, type: "bar", barMaxWidth: 22, cursor: "pointer",
        data: districts.map((r) => ({ value: num(r.rate), itemStyle: { color: colour(num(r.points)) } })),
        label: { show: true, position: "right", fontSize: big - 1, color: text,
          // The rate as the table prints it ("78.0%"), not as the bar's number ("78%").
          formatter: (p) => (districts[p.dataIndex].rate === null ? "" : districts[p.dataIndex].rate + "%") },
        markLine: {
          symbol: "none", silent: true,
          lineStyle: { color: dark ? "#ffd43b" : "#8b1a1a", type: "dashed", width: 2 },
          label: { formatter: `${L.timeProgress} ${data.timeProgress}%`, position: "start", color: text },
          data: [{ xAxis: num(data.timeProgress) }],
        },
      }],
    },
    (p) => districts[p.dataIndex] && districts[p.dataIndex].link,
  );

  function pie(id, rows, value, unit) {
    return make(
      id,
      {
        tooltip: {
          trigger: "item",
          formatter: (p) => `<b>${esc(p.name)}</b><br>${Number(p.value).toLocaleString()} ${unit}（${p.percent}%）`,
        },
        legend: { bottom: 0, type: "scroll", textStyle: { color: text, fontSize: big - 1 } },
        series: [{
          type: "pie", radius: ["38%", "68%"], center: ["50%", "44%"], cursor: "pointer",
          label: { position: "inside", formatter: (p) => (p.percent >= 4 ? `${Math.round(p.percent)}%` : ""),
            fontSize: big - 1, color: "#fff" },
          labelLine: { show: false },
          data: rows.map((r) => ({ name: r.name, value: value(r) })),
        }],
      },
      (p) => rows[p.dataIndex] && rows[p.dataIndex].link,
    );
  }
  pie("chart-sectors", data.sectors, (r) => Number(r.plan), L.wanUnit);
  pie("chart-categories", data.categories, (r) => r.entries, L.items);

  // The stage funnel in lifecycle order, each layer sized by its count.
  const funnel = data.funnel;
  make(
    "chart-funnel",
    {
      tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}：${p.value} ${L.items}` },
      series: [{
        type: "funnel", sort: "none", left: "8%", width: "84%", top: 8, bottom: 8, minSize: "36%",
        min: 0, max: Math.max(1, ...funnel.map((r) => r.value)),
        cursor: "pointer", gap: 2,
        label: { position: "inside", formatter: "{b} {c}", fontSize: big, color: "#fff" },
        data: funnel.map((r) => ({ name: r.name, value: r.value })),
        color: ["#6c8ebf", "#c62828", "#2e7d32", "#e0a800"],
      }],
    },
    (p) => funnel[p.dataIndex] && funnel[p.dataIndex].link,
  );

  // Unresolved problems: a stacked bar per category, one colour per escalation level.
  const problems = data.problems;
  const levelColours = ["#90caf9", "#e0a800", "#ef6c00", "#c62828", "#6a1b9a", "#37474f"];
  make(
    "chart-problems",
    {
      legend: { top: 0, type: "scroll", textStyle: { color: text, fontSize: big - 2 } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: big - 1 } },
      yAxis: { type: "category", inverse: true, data: problems.categories.map((c) => c.name),
        axisLabel: { interval: 0, fontSize: fitted("chart-problems", problems.categories.length, 70) } },
      series: problems.levels.map((name, i) => ({
        name, type: "bar", stack: "level", cursor: "pointer", barMaxWidth: 20,
        itemStyle: { color: levelColours[i % levelColours.length] },
        data: problems.categories.map((c) => c.values[i] || null),
      })),
    },
    (p) => problems.categories[p.dataIndex] && problems.categories[p.dataIndex].links[p.seriesIndex],
  );

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  // The meeting-room screen: reload on a timer, and a button for the browser's full screen.
  const refresh = Number(document.body.dataset.refresh || 0);
  if (refresh > 0) window.setTimeout(() => window.location.reload(), refresh * 1000);
  const full = document.getElementById("fullscreen");
  if (full) {
    full.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    });
  }
})();
