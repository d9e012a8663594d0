// Placing a village on the map: a tap on the map or the phone's position fills the two fields
// (decimal degrees with a comma, as the form shows them); the server checks and saves them.
(function () {
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var el = document.getElementById("position-map");
  var messages = document.getElementById("location-messages");
  var status = document.getElementById("location-status");
  if (!lat || !lon) return;
  function number(text) {
    var value = parseFloat(String(text).replace(",", "."));
    return isNaN(value) ? null : value;
  }
  function show(value) {
    return value.toFixed(6).replace(".", ",");
  }
  var marker = null;
  var map = null;
  function place(a, b, zoom) {
    lat.value = show(a);
    lon.value = show(b);
    if (!map) return;
    if (marker) marker.setLatLng([a, b]);
    else marker = L.marker([a, b]).addTo(map);
    if (zoom) map.setView([a, b], Math.max(map.getZoom(), 15));
  }
  if (el && window.L) {
    map = L.map(el, { attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    var a = number(lat.value), b = number(lon.value);
    if (a !== null && b !== null) {
      map.setView([a, b], 15);
      marker = L.marker([a, b]).addTo(map);
    } else if (el.dataset.centre) {
      var centre = el.dataset.centre.split(",").map(parseFloat);
      map.setView(centre, 16);
    } else {
      map.setView([16.0, 106.0], 5);
    }
    map.on("click", function (event) {
      place(event.latlng.lat, event.latlng.lng, false);
    });
  }
  var button = document.getElementById("use-location");
  if (button && navigator.geolocation && messages) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = messages.dataset.waiting;
      navigator.geolocation.getCurrentPosition(
        function (found) {
          place(found.coords.latitude, found.coords.longitude, true);
          status.textContent = messages.dataset.done;
        },
        function () {
          status.textContent = messages.dataset.denied;
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }
})();
