"""The registry: communities, grids with their streets and buildings, merchants."""

import datetime

from alliance.models import Community, Grid, GridArea, Merchant
from alliance.validators import credit_code_check_character

from .sequence import next_number


def community(name=None, slug=None, **kwargs):
    n = next_number()
    return Community.objects.create(name=name or f"测试社区{n}", slug=slug or f"community-{n}", **kwargs)


def grid(community_=None, name=None, **kwargs):
    community_ = community_ or community()
    return Grid.objects.create(community=community_, name=name or f"第{next_number()}网格", **kwargs)


def grid_area(grid_, name=None, chief="", kind="building"):
    return GridArea.objects.create(grid=grid_, name=name or f"幸福里{next_number()}号楼", chief=chief, kind=kind)


def merchant(name=None, community_=None, status=Merchant.Status.MEMBER, **kwargs):
    community_ = community_ or community()
    kwargs.setdefault("category", Merchant.Category.RESTAURANT)
    kwargs.setdefault("address", f"解放路 {next_number()} 号")
    if status == Merchant.Status.MEMBER:
        kwargs.setdefault("member_since", datetime.date(2026, 3, 1))
    return Merchant.objects.create(
        name=name or f"测试商户{next_number()}", community=community_, membership_status=status, **kwargs
    )


def valid_credit_code(stem="91110105MA01ABCD1"):
    """An 18-character code whose check character is right (GB 32100-2015)."""
    return stem + credit_code_check_character(stem)
