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

/* Static tables of the book's own (the MyST list-table of the source checks, whose cells hold
   citations) become paginated, searchable tables like the itables ones, with the DataTables
   bundle the site already serves (loaded by _static/ivigbook/itables/loader.js). Without
   JavaScript they stay plain, complete tables. */
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll("table.ivig-paginate");
    if (!tables.length || !window.ivigbookDataTables) { return; }
    window.ivigbookDataTables.then(function (module) {
      var DataTable = module.default;
      tables.forEach(function (table) {
        new DataTable(table, {
          paging: true,
          pageLength: 10,
          lengthMenu: [10, 25, 50, 100],
          ordering: true,
          order: [],
          autoWidth: false,
          layout: {
            topStart: "pageLength",
            topEnd: { search: { placeholder: "Filter rows" } },
            bottomStart: "info",
            bottomEnd: "paging"
          }
        });
        // Styled as part of the page, in both colour modes (see a11y.css).
        table.closest(".dt-container").classList.add("ivig-page-table");
      });
    });
  });
})();

/* Large tables (more rows than ivigbook.publish.render.JSON_ROWS_FROM) keep their rows in a
   JSON file beside the page (data-src); they load it here into the same DataTables bundle,
   searchable, sortable and paginated like every other table. Without JavaScript the page
   names the file instead. */
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var holders = document.querySelectorAll("div.ivig-json-table[data-src]");
    if (!holders.length || !window.ivigbookDataTables) { return; }
    holders.forEach(function (holder) {
      var table = holder.querySelector("table");
      var rows = fetch(new URL(holder.getAttribute("data-src"), document.baseURI))
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status + " " + response.url); }
          return response.json();
        });
      Promise.all([window.ivigbookDataTables, rows]).then(function (loaded) {
        var DataTable = loaded[0].default;
        var payload = loaded[1];
        var options = Object.assign({}, payload.options, {
          data: payload.data,
          deferRender: true,
          columns: payload.columns.map(function (title, i) {
            var column = { title: title, defaultContent: "" };
            if (!payload.numeric[i]) { column.render = DataTable.render.text(); }
            return column;
          })
        });
        new DataTable(table, options);
        var note = holder.querySelector(".ivig-json-note");
        if (note) { note.hidden = true; }
      }).catch(function (err) {
        console.error("table rows could not be loaded:", err);
      });
    });
  });
})();
