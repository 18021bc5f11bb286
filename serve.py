"""The server: `streamlit run serve.py` serves `app.py` with a warm-up at start (`cohort.ui.warmup`).

Streamlit finds the `st.App` below and runs it on its own Starlette server, as `streamlit run app.py` would,
with one difference: before the server answers its first request it imports the package and reads the default
dataset, so the first viewer after a restart does not wait for that (issue 15). Every flag of `streamlit run`
works the same. Tests of pages (AppTest) run `app.py` itself.
"""

import streamlit as st

from cohort.ui.warmup import lifespan

app = st.App("app.py", lifespan=lifespan)
