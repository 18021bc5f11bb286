"""The one I/O module for Excel: reading (fastexcel via Polars) and writing (openpyxl)."""
