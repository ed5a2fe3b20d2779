"""Who on the staff may do what with volunteer points: one place, model permissions given to groups
(points/0005): 编辑 run activities and record attendance; 网格员 and 审核 confirm it; 审核 keep the
accounts, approve reversals, settle with shops, issue cards and act for residents at the counter.

Two-person rules (the recorder never confirms, the one who asks for a reversal never approves it)
are checked in earning.py and ledger.py and by the database, whatever the permissions say.
"""

from django.core.exceptions import PermissionDenied


def can_record(user):
    return user.has_perm("points.add_attendance")


def can_confirm(user):
    return user.has_perm("points.confirm_attendance")


def can_view_accounts(user):
    return user.has_perm("points.view_account")


def can_request_reversal(user):
    return user.has_perm("points.add_reversalrequest")


def can_approve_reversal(user):
    return user.has_perm("points.approve_reversalrequest")


def can_settle(user):
    return user.has_perm("points.add_settlement")


def can_add_person(user):
    return user.has_perm("accounts.add_person")


def can_issue_card(user):
    return user.has_perm("accounts.add_pointscard")


def can_act_for(user):
    return user.has_perm("accounts.act_for_person")


def sees_mobiles(user):
    """Full mobile numbers only for those who call residents back; everyone else sees 138****5678."""
    return user.has_perm("accounts.view_person_mobile")


def uses_points_admin(user):
    return any(check(user) for check in (can_record, can_confirm, can_view_accounts, can_settle))


def require(check, user):
    if not check(user):
        raise PermissionDenied
