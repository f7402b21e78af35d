"""Bringing customers in from files: reading CSV, XLSX and vCard into one table, then mapping its columns."""
