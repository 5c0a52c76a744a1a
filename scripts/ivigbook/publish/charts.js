/* The book's runtime of interactive charts (appended to the vega bundle by
   ivigbook.publish.build; a page loads it only if it has such a chart: the others are SVG
   made when the book is built, see ivigbook.publish.chartspec.static_html).

   Every interactive chart arrives as a Vega spec compiled from Vega-Lite at build time
   (ivigbook.publish.chartspec), so the page needs the vega runtime only: neither the Vega-Lite
   compiler nor the embedding library is shipped. A chart is laid out for the width of its container, never scaled:
   - in a container narrower than NARROW_BELOW, the chart's narrow variant is drawn (titles
     wrapped, legends below the plot, shorter labels; for some charts a layout of its own);
   - the plot widths named in usermeta.ivigFlex (a single chart's width, the panels of a
     vertically concatenated one) then grow or shrink by what the whole chart, labels and
     legends included, is too narrow or too wide for its container, and Vega lays the chart
     out again: axes, ticks, labels;
   - a print layout that still does not fit falls back to the narrow variant.
   Tooltips: a small handler of our own (element #vg-tooltip-element, text only). */
(function () {
  "use strict";
  var views = (window.ivigViews = window.ivigViews || {});
  var charts = [];
  var tip = null;
  /* Containers narrower than this (in CSS pixels) get a chart's narrow variant. */
  var NARROW_BELOW = 600;

  function text(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value === "object") { return JSON.stringify(value); }
    return String(value);
  }

  function tooltipElement() {
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "vg-tooltip-element";
      tip.className = "vg-tooltip ivig-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    return tip;
  }

  /* Vega's tooltip handler signature: (handler, event, item, value). Text only, never HTML. */
  function tooltip(handler, event, item, value) {
    var el = tooltipElement();
    if (value === null || value === undefined || value === "") { el.hidden = true; return; }
    el.textContent = "";
    if (typeof value === "object" && !Array.isArray(value)) {
      var table = document.createElement("table");
      Object.keys(value).forEach(function (key) {
        if (value[key] === undefined) { return; }
        var row = table.insertRow();
        var head = document.createElement("th");
        head.textContent = key;
        row.appendChild(head);
        row.insertCell().textContent = text(value[key]);
      });
      el.appendChild(table);
    } else {
      el.textContent = text(value);
    }
    el.hidden = false;
    var x = event.clientX + 12, y = event.clientY + 12;
    var box = el.getBoundingClientRect();
    if (x + box.width > window.innerWidth - 4) { x = Math.max(4, event.clientX - box.width - 12); }
    if (y + box.height > window.innerHeight - 4) { y = Math.max(4, event.clientY - box.height - 12); }
    el.style.left = x + "px";
    el.style.top = y + "px";
  }

  function svgWidth(el) {
    var svg = el.querySelector("svg");
    return svg ? parseFloat(svg.getAttribute("width")) || 0 : 0;
  }

  function render(chart, spec) {
    if (chart.view) { chart.view.finalize(); }
    chart.el.textContent = "";
    chart.spec = spec;
    var view = new vega.View(vega.parse(spec), {
      renderer: "svg",
      container: chart.el,
      hover: true
    });
    view.tooltip(tooltip);
    chart.view = views[chart.el.id] = view;
    return view.runAsync().then(function () {
      tidyBindings(chart.el);
      return flex(chart);
    });
  }

  /* A slider's value printed to its step's decimals: Vega prints the start value as it is,
     and a start value such as 6/19 would show sixteen digits. (Once moved, the slider's
     value is a multiple of its step.) */
  function tidyBindings(el) {
    el.querySelectorAll(".vega-bind").forEach(function (bind) {
      var input = bind.querySelector("input[type=range]");
      var shown = bind.querySelector("input[type=range] + span");
      if (!input || !shown || isNaN(Number(shown.textContent))) { return; }
      var decimals = ((input.getAttribute("step") || "1").split(".")[1] || "").length;
      shown.textContent = Number(shown.textContent).toFixed(decimals);
    });
  }

  /* Panels named in usermeta.ivigFlex take up what the chart is too wide (or narrow). */
  function flex(chart, round) {
    var names = (chart.spec.usermeta || {}).ivigFlex || [];
    var room = chart.el.clientWidth;
    var delta = Math.floor(room - svgWidth(chart.el));
    round = round || 0;
    // Done when the chart fills its container to within 2 pixels, never past its edge.
    if (!names.length || !room || (delta >= 0 && delta < 2) || round > 4) {
      return Promise.resolve();
    }
    names.forEach(function (entry) {
      var now = chart.view.signal(entry.name);
      chart.view.signal(entry.name, Math.max(entry.min, now + delta));
    });
    // resize(): Vega lays the view out again (autosize) on the next run.
    return chart.view.resize().runAsync().then(function () { return flex(chart, round + 1); });
  }

  /* The print layout where the container is wide enough for it; below NARROW_BELOW pixels
     (or where the print layout does not fit), the narrow variant. */
  function fit(chart) {
    var room = chart.el.clientWidth;
    var narrow = room < NARROW_BELOW || (chart.tooWideAt && room <= chart.tooWideAt);
    var spec = narrow && chart.narrow ? chart.narrow : chart.wide;
    var redraw = spec !== chart.spec ? render(chart, spec) : flex(chart);
    return redraw.then(function () {
      if (spec === chart.wide && chart.narrow && svgWidth(chart.el) > room + 1) {
        chart.tooWideAt = room;
        return render(chart, chart.narrow);
      }
    }).catch(function (err) {
      chart.el.textContent = "Chart failed to render: " + err;
      console.error(err);
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(fit); }, 150);
  });
  document.addEventListener("scroll", function () { if (tip) { tip.hidden = true; } }, true);

  /* Called by each interactive chart's inline script: the element, its Vega spec and,
     optionally, the spec of its narrow variant. */
  window.ivigChart = function (el, wide, narrow) {
    var chart = { el: el, wide: wide, narrow: narrow || null, spec: null, view: null };
    charts.push(chart);
    return fit(chart);
  };
})();
