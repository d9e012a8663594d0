/* Behaviour that used to sit in inline handlers: the Content-Security-Policy allows no inline
   script (settings.CONTENT_SECURITY_POLICY), so templates mark elements with data- attributes.
   - <form data-confirm="Xóa …?">: asks before submitting.
   - <a data-open="ID">: opens the <details id="ID"> it points to. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-open]");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("data-open"));
    if (target) {
      target.open = true;
    }
  });
})();
