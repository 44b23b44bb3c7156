/* The reader's edition of the theme: small, commented fixes (see _ext/reader_chrome.py). */
(function () {
  "use strict";

  /* 1. Phones and tablets: the navigation and "On this page" buttons.
   * pydata-sphinx-theme 0.17.1 (pinned by sphinx-book-theme 1.3.0, which jupyter-book 1.0.4
   * installs) puts a second, always hidden .primary-toggle / .secondary-toggle in #pst-header,
   * before the visible buttons of sphinx-book-theme. Both themes bind their click handlers to
   * document.querySelector(...), i.e. to the hidden copy, so the buttons a reader can tap do
   * nothing (pydata-sphinx-theme issue #2451). Each further copy now forwards its click to the
   * first one, which runs the themes' own code: the drawer on narrow screens, collapsing the
   * sidebar on wide ones. Remove this once the theme pair is fixed upstream. */
  function forwardToggles(selector) {
    var copies = document.querySelectorAll(selector);
    Array.prototype.slice.call(copies, 1).forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        button.blur();            // otherwise the Bootstrap tooltip stays up after a tap
        copies[0].click();
      });
    });
  }

  /* 2. Accessible names for the theme's controls (axe: label-content-name-mismatch,
   * summary-name, region). A control's accessible name must contain its visible text. */
  function nameControls() {
    document.querySelectorAll("button.search-button__button, button.search-button-field").forEach(function (b) {
      var text = b.textContent.replace(/\s+/g, " ").trim();
      if (text) { b.setAttribute("aria-label", text); } else { b.setAttribute("aria-label", "Search"); }
    });
    document.querySelectorAll("button.theme-switch-button").forEach(function (b) {
      var text = b.textContent.replace(/\s+/g, " ").trim();
      b.setAttribute("aria-label", text ? "Colour mode " + text : "Colour mode");
    });
    document.querySelectorAll("summary").forEach(function (s) {
      if (!s.textContent.trim() && !s.getAttribute("aria-label")) {
        var label = s.parentElement && s.parentElement.previousElementSibling;
        var name = label && label.textContent.trim();
        s.setAttribute("aria-label", name ? "Show or hide " + name : "Show or hide section");
      }
    });
  }

  /* 3. Search from a file (the book opened as _build/html/index.html): Sphinx finds the pages,
   * but the browser refuses the requests for each result's text snippet (file:// has no CORS).
   * The search page says so, and how to serve the book so that search works in full. */
  function fileSearchNote() {
    if (window.location.protocol !== "file:") { return; }
    var results = document.getElementById("search-results");
    if (!results || document.getElementById("nnfs-file-search-note")) { return; }
    var note = document.createElement("p");
    note.id = "nnfs-file-search-note";
    note.className = "nnfs-file-search-note";
    note.innerHTML = "This book is open from a file, so search results show no text from the page. " +
      "For full search, serve the book and open it over http: in the repository run " +
      "<code>python -m http.server --directory _build/html</code> and open " +
      "<code>http://localhost:8000</code>.";
    results.parentNode.insertBefore(note, results);
  }

  function run() {
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    nameControls();
    fileSearchNote();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
