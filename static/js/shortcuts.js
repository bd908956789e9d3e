// The "?" overlay of keyboard shortcuts (a <dialog>; Esc closes it natively) and the
// header search's own keys. The overlay lists the page's keys from its data-shortcuts
// attribute (set by the view that handles them), then the keys every page has.
// CSP: a static file, no inline script or style.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
  }
  function pageShortcuts() {
    const found = [];
    document.querySelectorAll("[data-shortcuts]").forEach(function (element) {
      try {
        JSON.parse(element.dataset.shortcuts).forEach(function (item) { found.push(item); });
      } catch (error) { /* a page without valid shortcuts lists only the common keys */ }
    });
    return found;
  }
  function fill(dialog) {
    const body = dialog.querySelector("[data-shortcuts-page]");
    if (!body) { return; }
    body.replaceChildren();
    pageShortcuts().forEach(function (item) {
      const row = document.createElement("tr");
      const key = document.createElement("td");
      String(item.key).split("+").forEach(function (part, index) {
        if (index) { key.append("+"); }
        const kbd = document.createElement("kbd");
        kbd.textContent = part;
        key.append(kbd);
      });
      const label = document.createElement("td");
      label.textContent = item.label;
      row.append(key, label);
      body.append(row);
    });
  }
  function open() {
    const dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open) { return; }
    fill(dialog);
    dialog.showModal();
  }
  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-shortcuts-open]")) {
      open();
    } else if (target.closest("[data-shortcuts-close]")) {
      target.closest("dialog").close();
    } else if (target.id === "shortcuts") {
      target.close();  // a click on the backdrop
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "?" && !typing(event.target)) {
      event.preventDefault();
      open();
      return;
    }
    // In the header search: arrow keys move between the box and its hits.
    const results = document.getElementById("quicksearch-results");
    if (!results || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) { return; }
    const box = document.querySelector("[data-quicksearch]");
    const links = Array.prototype.slice.call(results.querySelectorAll("a[href]"));
    const index = links.indexOf(document.activeElement);
    if (event.target === box && event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[0].focus();
    } else if (index >= 0) {
      event.preventDefault();
      const next = index + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) { box.focus(); } else if (links[next]) { links[next].focus(); }
    }
  });
})();
