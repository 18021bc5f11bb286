"""Figure builders: Plotly figures from Polars frames, tested without a browser."""
