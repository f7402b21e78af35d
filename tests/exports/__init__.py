"""Tests of the full export (issue 21)."""
