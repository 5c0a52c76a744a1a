/* Keyboard access to the book's scrollable regions (WCAG 2.1.1; axe: scrollable-region-
   focusable): wide interactive tables and wide charts scroll sideways, so their scrolling
   containers must be reachable with the Tab key. Tables and charts are drawn after the page
   has loaded, hence the observer. */
(function () {
  var SELECTOR = ".dt-container, .ivig-chart";
  function mark(root) {
    root.querySelectorAll(SELECTOR).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth;
      if (scrolls && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    mark(document);
    new MutationObserver(function () { mark(document); })
      .observe(document.body, { childList: true, subtree: true });
  });
})();
