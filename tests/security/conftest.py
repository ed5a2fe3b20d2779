"""Fixtures for the security tests: production's security settings, a site with every public page type."""

import pytest

from tests.factories.site import every_public_page
from tests.security.production import SECURITY_SETTINGS, load_production


@pytest.fixture
def production(settings, monkeypatch):
    """The test settings with production's security settings on; requests must come over HTTPS."""
    module = load_production(monkeypatch)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, getattr(module, name))
    return module


@pytest.fixture
def site(home):
    """One page of every public type, with the data that makes each render its full template."""
    return every_public_page()
