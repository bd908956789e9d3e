// Segment builder: show the filled-in rules and one empty one; "Add a rule" shows the next.
// Without JavaScript every rule row is shown. Loaded as a static file (CSP: script-src 'self').
(function () {
  "use strict";
  function setUp(rules) {
    const empty = Array.from(rules.querySelectorAll("[data-rule][data-empty]"));
    const button = rules.querySelector("[data-add-rule]");
    if (!button || empty.length < 2) { return; }
    empty.slice(1).forEach(function (row) { row.hidden = true; });
    button.hidden = false;
    button.addEventListener("click", function () {
      const next = rules.querySelector("[data-rule][hidden]");
      if (next) {
        next.hidden = false;
        const select = next.querySelector("select");
        if (select) { select.focus(); }
      }
      if (!rules.querySelector("[data-rule][hidden]")) { button.hidden = true; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rules]").forEach(setUp);
  });
})();
