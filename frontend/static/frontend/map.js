/* The place picker of the proposal form, as an enhancement: the address field works without
   it. Tiles come from the URL in data-tiles. Maps that only show (a committee's area, the
   proposals' points) are drawn on the server: committees/maps.py. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var COPENHAGEN = [55.6761, 12.5683];

  function baseMap(element) {
    element.hidden = false;
    var map = window.L.map(element, { keyboard: true }).setView(COPENHAGEN, 12);
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      window.L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
    return map;
  }

  document.querySelectorAll("[data-map-picker]").forEach(function (element) {
    var lat = document.getElementById(element.getAttribute("data-lat"));
    var lng = document.getElementById(element.getAttribute("data-lng"));
    var status = document.getElementById(element.getAttribute("data-status"));
    var map = baseMap(element);
    var marker = null;
    function place(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(latlng); } else { marker = window.L.marker(latlng).addTo(map); }
      if (status) { status.textContent = status.getAttribute("data-placed") + " " + lat.value + ", " + lng.value; }
    }
    if (lat.value && lng.value) {
      var start = window.L.latLng(parseFloat(lat.value), parseFloat(lng.value));
      map.setView(start, 15);
      place(start);
    }
    map.on("click", function (event) { place(event.latlng); });
    var centre = document.getElementById(element.getAttribute("data-centre-button"));
    if (centre) {
      centre.hidden = false;
      centre.addEventListener("click", function () { place(map.getCenter()); });
    }
    var clear = document.getElementById(element.getAttribute("data-clear-button"));
    if (clear) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        lat.value = ""; lng.value = "";
        if (marker) { map.removeLayer(marker); marker = null; }
        if (status) { status.textContent = ""; }
      });
    }
  });
})();
