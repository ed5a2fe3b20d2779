"""Small builders for the world each test needs, one module per app; no demo content, no fixture dumps.

`from tests import factories as f` gives every factory (f.community, f.news, f.case, ...).
"""

from .accounts import person, points_card, shop_staff
from .alliance import community, grid, grid_area, merchant, valid_credit_code
from .bulletins import body, draft_notice, honour_index, honour_roll, news, news_index, notice, notice_index, shanghai
from .casework import assigned_case, case
from .evaluation import evaluation_round, scored_shops, sheet
from .forms import application, convention
from .home import add_page, home_page, image, office_settings, restrict, root_page, standard_page
from .points import activity, give_points, happened
from .staff import community_moderator, editor, grid_worker, moderator, staff_user

__all__ = [
    "activity",
    "add_page",
    "give_points",
    "happened",
    "person",
    "points_card",
    "shop_staff",
    "application",
    "assigned_case",
    "body",
    "case",
    "community",
    "community_moderator",
    "convention",
    "draft_notice",
    "editor",
    "evaluation_round",
    "grid",
    "grid_area",
    "grid_worker",
    "home_page",
    "honour_index",
    "honour_roll",
    "image",
    "merchant",
    "moderator",
    "news",
    "news_index",
    "notice",
    "notice_index",
    "office_settings",
    "restrict",
    "root_page",
    "scored_shops",
    "shanghai",
    "sheet",
    "staff_user",
    "standard_page",
    "valid_credit_code",
]
