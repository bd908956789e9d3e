// Small behaviours that need no framework. Loaded as a static file (CSP: script-src 'self').
(function () {
  "use strict";
  // "/" focuses the search box in the header (or the page's own), as in most web apps;
  // Escape leaves a field.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const box = document.querySelector("[data-quicksearch]") || document.querySelector("[data-search-box]");
      if (box) { event.preventDefault(); box.focus(); }
    } else if (event.key === "Escape" && typing) {
      target.blur();
    }
  });
  // 422 means "your input is invalid, here is the form fragment with the errors": show it
  // (htmx swaps only 2xx answers by default).
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Confirm before destructive buttons marked with data-confirm.
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
