"""axe-core in Chromium: helpers shared by the accessibility modules.

The browser comes from tests/conftest.py (system Chromium, per test; see its docstring for
why the ORM must not run once it has started). Each module has one test
that builds its world first, then starts the browser and walks its pages in four
contexts: phone and desktop, each in normal and large-text mode."""

import pytest

from .axe import Audit


@pytest.fixture
def audit():
    return Audit()
