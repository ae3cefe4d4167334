"""Importing people from an HR export: reading the file, checking every row, then a plan
that is applied in one transaction (and the export of the directory in the same columns)."""
