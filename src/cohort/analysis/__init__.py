"""The statistics and computations behind the pages: pure functions on Polars frames, no Streamlit."""
