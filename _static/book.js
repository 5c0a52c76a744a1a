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

/* The book's tables become searchable, sortable, paginated DataTables here, with the
   DataTables bundle loaded by _static/ivigbook/datatables/loader.js. Without JavaScript each
   stays a plain, complete table, or (above ivigbook.publish.render.JSON_ROWS_FROM rows, whose
   rows live in a JSON file beside the page) names the file that holds its rows. */
(function () {
  // Runs make() now, or, for a table whose rows are in a JSON file (data-src), when the
  // table comes within about a screen of the reader's view: a reader who never scrolls to a
  // long table does not download its rows (a table in a closed section waits until opened).
  function whenNear(element, make) {
    if (!element.hasAttribute("data-src") || !("IntersectionObserver" in window)) {
      make();
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      if (!entries.some(function (entry) { return entry.isIntersecting; })) { return; }
      observer.disconnect();
      make();
    }, { rootMargin: "100% 0px" });
    observer.observe(element);
  }
  // Calls enhance(element, DataTable) for each element matching selector, once the page
  // and the bundle have loaded (see whenNear for tables whose rows are in a JSON file).
  function each(selector, enhance) {
    document.addEventListener("DOMContentLoaded", function () {
      var found = document.querySelectorAll(selector);
      if (!found.length || !window.ivigbookDataTables) { return; }
      window.ivigbookDataTables.then(function (module) {
        found.forEach(function (element) {
          whenNear(element, function () { enhance(element, module.default); });
        });
      });
    });
  }
  // The JSON file named by data-src, beside the page (null without data-src).
  function rowsOf(element) {
    var source = element.getAttribute("data-src");
    if (!source) { return Promise.resolve(null); }
    return fetch(new URL(source, document.baseURI)).then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.url); }
      return response.json();
    });
  }
  function failed(err) { console.error("table rows could not be loaded:", err); }
  function hideNote(holder) {
    var note = holder.querySelector(".ivig-json-note");
    if (note) { note.hidden = true; }
  }

  // Interactive tables made by ivigbook.publish.render.datatable_html: every cell escaped,
  // the DataTables options in the data-options attribute.
  each("table.ivig-datatable", function (table, DataTable) {
    new DataTable(table, JSON.parse(table.getAttribute("data-options") || "{}"));
  });

  // Static tables of the book's own (the MyST list-table of the source checks, whose cells
  // hold citations); above the row threshold the rows' HTML (made by Sphinx) is in the JSON
  // file (ivigbook.publish.site.move_static_rows_out).
  each("table.ivig-paginate", function (table, DataTable) {
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
    rowsOf(table).then(function (payload) {
      if (payload) {
        options.data = payload.data;
        options.deferRender = true;
        hideNote(table.parentNode);
      }
      new DataTable(table, options);
      // Styled as part of the page, in both colour modes (see a11y.css).
      table.closest(".dt-container").classList.add("ivig-page-table");
    }).catch(failed);
  });

  // Large tables made by ivigbook.publish.render.json_table_html: header in the page, rows
  // (with the options) in the JSON file; text columns render as text, never markup.
  each("div.ivig-json-table[data-src]", function (holder, DataTable) {
    rowsOf(holder).then(function (payload) {
      var options = Object.assign({}, payload.options, {
        data: payload.data,
        deferRender: true,
        columns: payload.columns.map(function (title, i) {
          var column = { title: title, defaultContent: "" };
          if (!payload.numeric[i]) { column.render = DataTable.render.text(); }
          return column;
        })
      });
      new DataTable(holder.querySelector("table"), options);
      hideNote(holder);
    }).catch(failed);
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
