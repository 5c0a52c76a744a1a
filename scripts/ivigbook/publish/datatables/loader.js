/* Loads the book's DataTables bundle (datatables.min.js, an ES module: DataTables core, its
   default styling and jQuery) once per page; _static/book.js makes the page's tables
   searchable, sortable and paginated with it. */
(function () {
  if (!window.ivigbookDataTables) {
    var base = document.currentScript.src;
    window.ivigbookDataTables = import(new URL("datatables.min.js", base).href);
  }
})();
