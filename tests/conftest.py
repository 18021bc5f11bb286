"""Fixtures shared by the unit and AppTest suites (the browser suite has its own conftest)."""

import pytest
from workbooks import make_workbook

from cohort.dataset import Dataset
from cohort.settings import EXAMPLE_WORKBOOK
from cohort.workbook.read import read_workbook


@pytest.fixture(scope="session")
def example() -> Dataset:
    """The bundled example workbook, read through the same reader as an upload."""
    return read_workbook(EXAMPLE_WORKBOOK).dataset


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The small hand-computed workbook of tests/workbooks.py (its figures are in that module's docstring).

    A test module with data of its own defines its own `dataset`, which then takes precedence."""
    return read_workbook(make_workbook()).dataset
