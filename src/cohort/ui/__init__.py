"""Thin Streamlit glue: cached loaders, the shared filters and reusable widgets.

The only part of the package that imports streamlit; it holds no computation of its own.
"""
