import pytest

from tests import factories as f


@pytest.fixture
def place(place):
    """The intake place, with a published convention: /apply/ opens only when there is one to sign."""
    f.convention(body="<p>第一条 门前三包，不占道经营。</p>")
    return place
