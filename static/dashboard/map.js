// The project map (一张图): the uploaded district boundaries registered as an ECharts map, the projects
// as points on it coloured by stage or by warning; a click on a point opens the project. No tiles.
(function () {
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const holder = document.getElementById("kp-map");
  const chart = echarts.init(holder);
  const animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const STAGE_COLOURS = {
    reserve: "#9e9e9e", preliminary: "#1565c0", construction: "#c62828", completed: "#2e7d32",
    operating: "#e0a800", suspended: "#6d4c41", cancelled: "#424242",
  };
  const WARNING_COLOURS = { red: "#d32f2f", yellow: "#f2b400", "": "#4caf50" };
  const hasMap = data.boundaries.features.length > 0;
  if (hasMap) echarts.registerMap("kp-districts", data.boundaries);
  let colour = data.colour;

  function series() {
    const groups = colour === "stage" ? data.stages : data.warnings;
    const index = colour === "stage" ? 2 : 3;
    const colours = colour === "stage" ? STAGE_COLOURS : WARNING_COLOURS;
    return groups
      .map((g) => ({
        name: g.label,
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 9,
        cursor: "pointer",
        itemStyle: { color: colours[g.value], borderColor: "#fff", borderWidth: 0.5 },
        emphasis: { scale: 1.8 },
        data: data.points.filter((p) => p[index] === g.value).map((p) => ({ name: p[5], value: [p[0], p[1]], p })),
      }))
      .filter((s) => s.data.length);
  }

  // The view covers the boundaries and every point (a project may lie outside the uploaded outlines).
  function bounds() {
    const lngs = data.points.map((p) => p[0]);
    const lats = data.points.map((p) => p[1]);
    const walk = (c) => {
      if (typeof c[0] === "number") { lngs.push(c[0]); lats.push(c[1]); } else c.forEach(walk);
    };
    data.boundaries.features.forEach((f) => walk(f.geometry.coordinates));
    if (!lngs.length) return [[108.0, 23.2], [108.8, 22.5]];
    const pad = 0.01;
    let [minLng, maxLng, minLat, maxLat] = [Infinity, -Infinity, Infinity, -Infinity];
    lngs.forEach((v) => { minLng = Math.min(minLng, v); maxLng = Math.max(maxLng, v); });
    lats.forEach((v) => { minLat = Math.min(minLat, v); maxLat = Math.max(maxLat, v); });
    return [[minLng - pad, maxLat + pad], [maxLng + pad, minLat - pad]];
  }

  function draw() {
    const geo = {
      roam: true,
      zoom: 1,
      itemStyle: { areaColor: "#eef3f8", borderColor: "#7a8ca5", borderWidth: 1 },
      emphasis: { itemStyle: { areaColor: "#dbe7f3" }, label: { show: true } },
      label: { show: true, color: "#5a6b80", fontSize: 11 },
      select: { disabled: true },
    };
    geo.map = hasMap ? "kp-districts" : "kp-empty";
    geo.boundingCoords = bounds();
    chart.setOption(
      {
        animation,
        tooltip: {
          trigger: "item",
          formatter: (p) => {
            if (!p.data || !p.data.p) return echarts.format.encodeHTML(p.name || "");
            const row = p.data.p;
            const stage = data.stages.find((s) => s.value === row[2]);
            return `<b>${echarts.format.encodeHTML(row[5])}</b><br>${data.labels.district}：` +
              `${echarts.format.encodeHTML(row[6] || "")}<br>${data.labels.stage}：${stage ? stage.label : ""}` +
              `<br><span style="color:#888">${data.labels.open}</span>`;
          },
        },
        legend: { top: 8, left: 8, orient: "vertical", backgroundColor: "rgba(255,255,255,.8)" },
        geo,
        series: series(),
      },
      true,
    );
  }

  if (!hasMap) echarts.registerMap("kp-empty", { type: "FeatureCollection", features: [] });
  draw();
  chart.on("click", (params) => {
    if (params.data && params.data.p) window.location.href = data.projectUrl.replace("{id}", params.data.p[4]);
  });
  document.querySelectorAll("#colour-switch [data-colour]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      colour = link.dataset.colour;
      document.querySelectorAll("#colour-switch [data-colour]").forEach((l) => l.classList.toggle("active", l === link));
      history.replaceState(null, "", `?colour=${colour}`);
      draw();
    });
  });
  // KP_MAP_TILE_URL: an intranet map service, opened at the map's current centre and zoom.
  const tile = document.getElementById("tile-link");
  if (tile) {
    tile.addEventListener("click", () => {
      const geo = chart.getOption().geo[0];
      const centre = geo.center || [108.37, 22.82];
      const zoom = Math.round(10 + Math.log2(geo.zoom || 1));
      tile.href = tile.dataset.template.replace("{lng}", centre[0]).replace("{lat}", centre[1]).replace("{zoom}", zoom);
    });
  }
  window.addEventListener("resize", () => chart.resize());
})();
