// Calendar feed: a button that copies the secret link. Loaded as a static file (CSP-safe).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        const field = document.querySelector(button.dataset.copy);
        const status = document.querySelector("[data-copy-status]");
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) { status.textContent = button.dataset.copied; }
        }, function () {
          field.select();
        });
      });
    });
  });
})();
