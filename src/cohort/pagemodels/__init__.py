"""Page models: one function per page that returns a frozen object with every number the page shows.

`build(name, page_input)` calls the page's function (`PAGES` names it); `cohort.ui.models.page_model` calls
that once per run through one cached wrapper. Nothing here imports streamlit.
"""

from __future__ import annotations

import importlib
from typing import Any

from cohort.pagemodels.common import PageInput

# page name -> (module in this package, function): imported on first use, so a page costs only when shown.
PAGES: dict[str, tuple[str, str]] = {
    "overzicht": ("overview", "overview_model"),
    "kaart": ("map", "map_model"),
    "uitstroom": ("outflow", "outflow_model"),
    "gebieden": ("rollout", "rollout_model"),
    "klachten": ("complaints", "complaints_model"),
    "over": ("about", "about_model"),
}


def build(name: str, page_input: PageInput) -> Any:
    module, function = PAGES[name]
    return getattr(importlib.import_module(f"cohort.pagemodels.{module}"), function)(page_input)
