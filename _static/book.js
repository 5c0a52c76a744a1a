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

/* The book's interactive tables are itables tables: the code itables writes into the page
   imports ITable from the book's table bundle (ivigbook/datatables/datatables.min.js at the
   site's root) and makes the table. Here only the static tables of the book's own (the MyST
   list-table of the source checks, whose cells hold citations) that are too long to read
   whole (more than ivigbook.publish.render.ALL_ROWS_MAX rows) get pages, filter and sorting
   from the same ITable; above ivigbook.publish.render.JSON_ROWS_FROM rows their rows' HTML
   (made by Sphinx) is in a file beside the page (data-src, see
   ivigbook.publish.site.move_static_rows_out). A shorter one stays a plain table: every row
   in view. */
(function () {
  var ALL_ROWS_MAX = 25;
  var PAGE_LENGTH = 25;
  var bundle = new URL("../ivigbook/datatables/datatables.min.js", document.currentScript.src);
  document.addEventListener("DOMContentLoaded", function () {
    var long = Array.prototype.filter.call(
      document.querySelectorAll("table.ivig-paginate"),
      function (table) {
        return table.hasAttribute("data-src") ||
          table.querySelectorAll("tbody tr").length > ALL_ROWS_MAX;
      }
    );
    if (!long.length) { return; }
    import(bundle.href).then(function (module) {
      long.forEach(function (table) {
        var options = {
          paging: true,
          pageLength: PAGE_LENGTH,
          lengthMenu: [PAGE_LENGTH, 50, 100],
          ordering: true,
          order: [],
          autoWidth: false,
          layout: {
            topStart: "pageLength",
            topEnd: { search: { placeholder: "Filter rows" } },
            bottomStart: "info",
            bottomEnd: "paging"
          }
        };
        var source = table.getAttribute("data-src");
        if (source) {
          options.ajax = { url: new URL(source, document.baseURI).href, dataSrc: "data" };
          options.deferRender = true;
        }
        new module.ITable(table, options);
        // Styled as part of the page, in both colour modes (see a11y.css).
        table.classList.add("ivig-page-table");
      });
    }).catch(function (err) { console.error("the table bundle could not be loaded:", err); });
  });
})();

/* On a phone a table of three or more columns reads as cards, one row under another: each
   cell carries its column's header as data-label, which _static/book.css shows above the
   cell below 600 px (class ivig-cards). Without JavaScript, or on a wider screen, the table
   stays a table. Rows drawn later (a DataTable's next page, rows loaded from JSON) are
   labelled as they appear. */
(function () {
  var MIN_COLUMNS = 3;
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/\s+/g, " ").trim();
    });
    if (heads.length < MIN_COLUMNS) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", heads[i]);
        }
      });
    });
    table.classList.add("ivig-cards");
  }
  var pending = false;
  function all() {
    pending = false;
    document.querySelectorAll("main table").forEach(label);
  }
  function soon() {
    if (!pending) { pending = true; window.requestAnimationFrame(all); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    all();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
})();
