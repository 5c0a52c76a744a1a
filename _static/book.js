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
   JavaScript they stay plain, complete tables (above the row threshold, the page names the
   data file that holds their rows). */
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll("table.ivig-paginate");
    if (!tables.length || !window.ivigbookDataTables) { return; }
    window.ivigbookDataTables.then(function (module) {
      var DataTable = module.default;
      tables.forEach(function (table) {
        var options = {
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
        };
        // Above the row threshold the rows' HTML (made by Sphinx) is in a JSON file beside
        // the page (ivigbook.publish.site.move_static_rows_out).
        var source = table.getAttribute("data-src");
        var rows = source
          ? fetch(new URL(source, document.baseURI)).then(function (r) {
              if (!r.ok) { throw new Error(r.status + " " + r.url); }
              return r.json();
            })
          : Promise.resolve(null);
        rows.then(function (payload) {
          if (payload) {
            options.data = payload.data;
            options.deferRender = true;
            var note = table.parentNode.querySelector(".ivig-json-note");
            if (note) { note.hidden = true; }
          }
          new DataTable(table, options);
          // Styled as part of the page, in both colour modes (see a11y.css).
          table.closest(".dt-container").classList.add("ivig-page-table");
        }).catch(function (err) {
          console.error("table rows could not be loaded:", err);
        });
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
