// The poster's print button (a static file: the pages run under a CSP without inline scripts).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
