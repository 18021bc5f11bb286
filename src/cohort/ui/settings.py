"""The settings check before any page runs: a bad environment variable gives a Dutch message, not a traceback."""

from __future__ import annotations

import streamlit as st

from cohort.fmt import fmt_int
from cohort.plaintext import markdown_literal
from cohort.settings import ENV_MAX_UPLOAD_MB, Settings, SettingsError, load_settings


def require_settings() -> Settings:
    """The settings, or a Dutch error naming the variable and its value and a stop (nothing else runs)."""
    try:
        settings = load_settings()
        server_limit = int(st.get_option("server.maxUploadSize"))
        if settings.max_upload_mb > server_limit:
            # Streamlit's server refuses a larger upload (in English) before the app could check it.
            raise SettingsError([
                f"{ENV_MAX_UPLOAD_MB} is {fmt_int(settings.max_upload_mb)}, maar Streamlit neemt bestanden tot "
                f"{fmt_int(server_limit)} MB aan (server.maxUploadSize): zet STREAMLIT_SERVER_MAX_UPLOAD_SIZE op "
                "dezelfde waarde."])
        return settings
    except SettingsError as error:
        st.error(
            "**De Cohortmonitor is niet goed ingesteld.** "
            + markdown_literal(" ".join(error.problems))
            + " De beheerder moet dit herstellen; daarna werkt de app weer zoals gewoonlijk.",
            icon=":material/error:",
        )
        st.stop()
        raise  # st.stop() raises; this line only tells the type checker that nothing follows
