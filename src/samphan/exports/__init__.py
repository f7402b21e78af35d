"""The full export of the business's data (issue 21): every table as CSV in a ZIP or as
one XLSX, built by the worker, for administrators only."""
