// Small behaviours for the console. Loaded on every page; no inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var print = event.target.closest("[data-action=print]");
    if (print) { event.preventDefault(); window.print(); }
    var confirmEl = event.target.closest("[data-confirm]");
    if (confirmEl && !window.confirm(confirmEl.getAttribute("data-confirm"))) { event.preventDefault(); }
  });

  // Region map: draws the children's GeoJSON boundaries offline with ECharts.
  function drawMap(el) {
    if (!window.echarts) { return; }
    fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        if (!geo.features.length) { el.classList.add("d-none"); return; }
        var name = "region-" + el.getAttribute("data-region");
        window.echarts.registerMap(name, geo);
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) {
            var hh = p.data && p.data.households ? "<br>" + el.getAttribute("data-households-label") + "：" + p.data.households : "";
            return p.name + hh;
          } },
          series: [{
            type: "map", map: name, roam: true, selectedMode: false, layoutCenter: ["50%", "50%"], layoutSize: "95%",
            label: { show: true, fontSize: 12, color: "#1f2937" },
            itemStyle: { borderColor: "#fff", borderWidth: 2 },
            emphasis: { label: { color: "#fff" }, itemStyle: { areaColor: "#c0392b" } },
            data: geo.features.map(function (f, i) {
              var palette = ["#fde8e6", "#fef3c7", "#dcfce7", "#dbeafe", "#ede9fe", "#fce7f3", "#e0f2fe", "#fae8ff", "#ecfccb", "#ffedd5", "#f1f5f9"];
              return { name: f.properties.name, id: f.properties.id, households: f.properties.households, itemStyle: { areaColor: palette[i % palette.length] } };
            })
          }]
        });
        chart.on("click", function (p) { if (p.data && p.data.id) { window.location.href = el.getAttribute("data-link").replace("/0/", "/" + p.data.id + "/"); } });
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-geo-map]").forEach(drawMap);
  });
})();
