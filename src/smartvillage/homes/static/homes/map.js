// Households or villages as coloured points (Leaflet). Without a tile URL the points are drawn on
// a plain background: relative positions still show where the gaps are.
(function () {
  var el = document.getElementById("map");
  var source = document.getElementById("map-points");
  if (!el || !source || !window.L) return;
  var points = JSON.parse(source.textContent);
  var map = L.map(el, { preferCanvas: true, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var yes = p[2] === 1;
    var marker = L.circleMarker([p[0], p[1]], {
      radius: p.length > 3 ? 9 : 5,
      color: yes ? "#17602a" : "#b3261e",
      fillColor: yes ? "#1e8e3e" : "#d93025",
      fillOpacity: 0.8,
      weight: 1,
    }).addTo(map);
    if (p.length > 3) marker.bindTooltip(String(p[3]));
    bounds.push([p[0], p[1]]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
  } else {
    map.setView([16.0, 106.0], 5);
  }
})();
