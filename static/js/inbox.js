// Keyboard work on the inbox and the case page (CSP: a static file, no inline script).
// j/k move through the inbox rows, Enter opens the selected one; on a case page r goes to
// the reply and n to the internal note. The page lists these in data-shortcuts.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-inbox-row]"));
  }
  function select(list, index) {
    list.forEach(function (row) { row.classList.remove("is-selected"); row.removeAttribute("aria-selected"); });
    const row = list[index];
    if (!row) { return; }
    row.classList.add("is-selected");
    row.setAttribute("aria-selected", "true");
    const link = row.querySelector("a[href]");
    if (link) { link.focus(); }
  }
  function focusField(selector) {
    const field = document.querySelector(selector);
    if (!field) { return false; }
    const details = field.closest("details");
    if (details) { details.open = true; }
    field.focus();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    const list = rows();
    const current = list.findIndex(function (row) { return row.classList.contains("is-selected"); });
    if ((event.key === "j" || event.key === "k") && list.length) {
      event.preventDefault();
      const step = event.key === "j" ? 1 : -1;
      const next = current < 0 ? 0 : Math.min(Math.max(current + step, 0), list.length - 1);
      select(list, next);
    } else if (event.key === "Enter" && current >= 0 && document.activeElement === document.body) {
      const link = list[current].querySelector("a[href]");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    } else if (event.key === "r") {
      if (focusField("#id_reply-body")) { event.preventDefault(); }
    } else if (event.key === "n") {
      if (focusField("#id_comment-body")) { event.preventDefault(); }
    }
  });
})();
