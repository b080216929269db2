/* The book's own script, on top of sphinx-book-theme (tests/test_browser.py checks the result).

   1. Icons are decoration. The theme's Font Awesome script, which the book no longer loads (1.5 MB; see
      book/_ext/lean_pages.py), marked each icon aria-hidden; the icons now come from the style sheet's
      web fonts, so this does it instead, and screen readers do not read out the glyphs.
   2. A box that scrolls sideways says so. A wide table, code line or formula on a phone scrolls inside
      its own box, and a phone shows no scroll bar: the box gets a shade at each edge that hides more
      (class scrolls-left / scrolls-right, drawn by book.css), updated as the reader scrolls. */
(function () {
  "use strict";

  function hideIcons(root) {
    root.querySelectorAll('i[class*="fa-"], span[class*="fa-"]').forEach(function (icon) {
      if (!icon.textContent.trim()) icon.setAttribute("aria-hidden", "true");
    });
  }

  var BOXES = "article div.cell_output pre, article div.highlight pre, article div.output.text_html, " +
    "article div.math mjx-container, article .table-wrapper, article div.pst-scrollable-table-container";

  function shade(box) {
    var more = box.scrollWidth - box.clientWidth;
    // A box that scrolls is reachable from the keyboard (the theme does this for code and outputs; a
    // wide formula needs it too, axe: scrollable-region-focusable).
    if (more > 1 && !box.hasAttribute("tabindex")) box.tabIndex = 0;
    box.classList.toggle("scrolls-left", more > 1 && box.scrollLeft > 1);
    box.classList.toggle("scrolls-right", more > 1 && box.scrollLeft < more - 1);
  }

  function shadeAll() {
    document.querySelectorAll(BOXES).forEach(shade);
  }

  function start() {
    hideIcons(document);
    shadeAll();
    // A box's width changes with the window, an opened dropdown, a late font or MathJax's typesetting.
    document.addEventListener("scroll", function (event) {
      if (event.target instanceof Element && event.target.matches(BOXES)) shade(event.target);
    }, true);
    window.addEventListener("resize", shadeAll);
    document.addEventListener("toggle", shadeAll, true);
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(shadeAll);
      document.querySelectorAll("article").forEach(function (article) { observer.observe(article); });
    }
    if (document.fonts) document.fonts.ready.then(shadeAll);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(shadeAll);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
