"""Who on the staff may do what with evaluation rounds (model permissions given to groups by
evaluation/0002): 审核 set up rounds and move them (开始评分, 公示, 定稿); 编辑 and 审核 read results.

Scoring is not a model permission: a staff member scores for the party the round names them in, and
a resident is any verified account (evaluation/scoring.py checks both on every save).
"""

from django.core.exceptions import PermissionDenied


def can_view_rounds(user):
    return user.has_perm("evaluation.view_evaluationround")


def can_edit_rounds(user):
    return user.has_perm("evaluation.change_evaluationround")


def can_manage_rounds(user):
    return user.has_perm("evaluation.manage_evaluationround")


def require(check, user):
    if not check(user):
        raise PermissionDenied
