// The table bundle the book's pages import (scripts/build-datatables.sh bundles it into
// _extra/ivigbook/datatables/, which the site serves through html_extra_path): DataTables core
// with its default styling, jQuery, and what the code itables writes into a page imports from
// its `dt_url` (itables' connected mode):
//   import { ITable, jQuery as $ } from '<dt_url>';  new ITable(table, dt_args);
// ITable here is the book's own, for the arguments itables 2.9 writes (table_html, data_json,
// classes, style, caption, keys_to_be_evaluated, downsampling_warning, the DataTables
// options); tests/test_light.py pins this interface in a browser. jQuery is its slim build
// (scripts/build-datatables.sh: no $.ajax, no effects): rows from a file come by fetch.
import jQuery from "jquery";
import DataTable from "datatables.net-dt";

export { jQuery };
export default DataTable;

// itables' own keys, not DataTables options.
const ITABLES_KEYS = [
  "table_html",
  "data_json",
  "classes",
  "style",
  "caption",
  "keys_to_be_evaluated",
  "downsampling_warning",
  "text_in_header_can_be_selected",
  "selected_rows",
  "filtered_row_count",
  "column_min_widths",
];
// Non-finite floats travel as these strings in data_json.
const SENTINELS = { ___NaN___: NaN, ___Infinity___: Infinity, "___-Infinity___": -Infinity };

// The page's colour mode (the theme sets data-theme on <html>) as the class "dark" that
// DataTables' stylesheet reads.
export function set_or_remove_dark_class() {
  const dark = document.documentElement.dataset.theme === "dark";
  document.body.classList.toggle("dark", dark);
}

// Render functions written by itables as JavaScript source (float and category columns).
function evaluate(args, paths) {
  for (const path of paths || []) {
    let holder = args;
    for (const key of path.slice(0, -1)) {
      holder = holder[key];
    }
    const last = path[path.length - 1];
    holder[last] = Function(`"use strict"; return (${holder[last]});`)();
  }
}

// Runs make() now, or, for a table whose rows come from a file (ajax), when the table comes
// within about a screen of the reader's view: a reader who never scrolls to a long table does
// not download its rows (a table in a closed section waits until opened).
function whenNear(table, lazy, make) {
  if (!lazy || !("IntersectionObserver" in window)) {
    make();
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) {
        return;
      }
      observer.disconnect();
      make();
    },
    { rootMargin: "100% 0px" },
  );
  observer.observe(table);
}

// DataTables' ajax option as a function that fetches the rows (a URL beside the page, or
// {url, dataSrc}): the slim jQuery has no $.ajax.
function fetchRows(source) {
  const url = typeof source === "string" ? source : source.url;
  const dataSrc = (typeof source === "object" && source.dataSrc) || "data";
  return (request, callback) => {
    fetch(new URL(url, document.baseURI))
      .then((response) => {
        if (!response.ok) {
          throw new Error(`${response.status} ${response.url}`);
        }
        return response.json();
      })
      .then((json) => callback({ data: json[dataSrc] }))
      .catch((err) => console.error("table rows could not be loaded:", err));
  };
}

const BREAKS = /[\u00ad\u200b]/g;
function withoutBreaks(data, type) {
  return type !== "display" && typeof data === "string" ? data.replace(BREAKS, "") : data;
}

export class ITable {
  constructor(table, dt_args) {
    const args = Object.assign({}, dt_args);
    evaluate(args, args.keys_to_be_evaluated);
    if (args.table_html) {
      // itables' header; a table of the page's own (no table_html) keeps its rows.
      const template = document.createElement("template");
      template.innerHTML = args.table_html;
      const source = template.content.querySelector("table");
      table.replaceChildren(...(source ? source.childNodes : []));
    }
    table.querySelectorAll("thead tr").forEach((tr) => tr.removeAttribute("style"));
    (args.column_min_widths || []).forEach((width, i) => {
      const th = table.querySelectorAll("thead tr:last-child th")[i];
      if (th && width) {
        th.style.minWidth = width;
      }
    });
    if (args.caption) {
      const caption = document.createElement("caption");
      caption.textContent = args.caption;
      table.prepend(caption);
    }
    const classes = Array.isArray(args.classes) ? args.classes : String(args.classes || "").split(/\s+/);
    table.classList.add(...classes.filter(Boolean));
    for (const [property, value] of Object.entries(args.style || {})) {
      table.style.setProperty(property, value);
    }
    if (args.ajax === undefined && args.data_json !== undefined) {
      args.data = JSON.parse(args.data_json, (key, value) =>
        typeof value === "string" && value in SENTINELS ? SENTINELS[value] : value,
      );
    }
    if (args.downsampling_warning) {
      args.language = Object.assign({}, args.language, {
        info: `_START_ to _END_ of _TOTAL_ rows (${args.downsampling_warning})`,
      });
    }
    for (const key of ITABLES_KEYS) {
      delete args[key];
    }
    // Break points in long words (soft hyphens, zero-width spaces: render.fit_words) are
    // not part of the text a reader filters or sorts by.
    args.columnDefs = [...(args.columnDefs || []), { targets: "_all", render: withoutBreaks }];
    const lazy = args.ajax !== undefined;
    if (lazy && typeof args.ajax !== "function") {
      args.ajax = fetchRows(args.ajax);
    }
    this.table = table;
    whenNear(table, lazy, () => {
      this.dt = new DataTable(table, args);
      // The note that names a rows file, for a reader without JavaScript.
      const holder = table.closest(".ivig-json-table") || table.parentNode;
      const note = holder && holder.querySelector(".ivig-json-note");
      if (note) {
        note.hidden = true;
      }
    });
  }
}
