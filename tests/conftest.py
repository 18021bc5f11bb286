"""Fixtures shared by the unit and AppTest suites (the browser suite has its own conftest)."""

import pytest

from cohort.dataset import Dataset
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook.read import read_workbook


@pytest.fixture(scope="session")
def example() -> Dataset:
    """The bundled example workbook, read through the same reader as an upload."""
    return read_workbook(EXAMPLE_WORKBOOK).dataset
