"""Bringing customers in from files: reading, mapping columns, previewing rows (issue 21)."""
