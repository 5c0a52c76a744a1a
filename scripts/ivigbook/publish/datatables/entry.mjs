// The DataTables build the book's pages load (scripts/build-datatables.sh bundles it): DataTables
// core with its default styling and jQuery, nothing else. _static/book.js uses the default
// export as DataTable.
import jQuery from "jquery";
import DataTable from "datatables.net-dt";

export { jQuery };
export default DataTable;
