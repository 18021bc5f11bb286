"""Boundaries for the map, resolved once per division and kept for an hour (download attempts are slow)."""

from __future__ import annotations

import streamlit as st

from cohort.boundaries import Boundaries, Division, resolve_boundaries
from cohort.settings import load_settings


@st.cache_data(ttl=3600, max_entries=4, show_spinner="Kaartgrenzen laden …")
def boundaries_for(division: Division) -> Boundaries:
    # Cached per division: resolution may try a download (≈3 s without network) that must not run on every rerun.
    return resolve_boundaries(division, load_settings())
