// Campaign form: show the response-rate field of each channel chosen, and only those.
// Without JavaScript all rate fields are shown. Loaded as a static file (CSP: script-src 'self').
(function () {
  "use strict";
  function sync(form) {
    form.querySelectorAll("[data-rate]").forEach(function (block) {
      const box = form.querySelector('[data-channels] input[value="' + block.dataset.rate + '"]');
      block.hidden = !(box && box.checked);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.campaign-form").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (event) {
        if (event.target.closest("[data-channels]")) { sync(form); }
      });
    });
  });
})();
