"""Saving a scoring sheet: who may score what, the form a rater fills, and the one function that writes.

A sheet is saved whole (six scores, remarks optional) in one transaction under a lock of the round,
so nothing is ever half-saved and no sheet is saved after the round has left scoring. Every score
given or changed writes a SheetChange (old → new); the database allows one sheet per rater, shop
and round, and two submits racing for the same first sheet end as one sheet.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, ShopStaff

from .models import DIMENSIONS, EvaluationRound, Party, ScoreSheet, SheetChange

NUMBER = re.compile(r"^[+-]?\d+(?:\.\d*)?$")


class ScoringRefused(ValidationError):
    """Why this sheet cannot be saved now; shown to the rater as it is."""


class ScoreField(forms.CharField):
    """A whole score from 0 to the round's maximum, typed on a phone: full-width digits and spaces are
    accepted and normalised; decimals, negatives, too-high numbers and blanks get a Chinese error."""

    def __init__(self, *, label, scale_max, **kwargs):
        self.scale_max = scale_max
        super().__init__(
            label=label,
            max_length=10,
            error_messages={"required": _("请给“%(dimension)s”打分。") % {"dimension": label}},
            **kwargs,
        )
        self.widget.attrs.update(inputmode="numeric", pattern="[0-9]*", autocomplete="off", size="3")

    def to_python(self, value):
        return unicodedata.normalize("NFKC", str(value or "")).replace(" ", "").strip()

    def clean(self, value):
        text = super().clean(value)
        scale = {"max": self.scale_max}
        if not NUMBER.match(text):
            raise ValidationError(_("请填写 0 到 %(max)d 之间的整数。") % scale, code="invalid")
        if "." in text:
            raise ValidationError(_("请填写整数，不要带小数。"), code="decimal")
        number = int(text)
        if number < 0:
            raise ValidationError(_("分数不能低于 0 分。"), code="min")
        if number > self.scale_max:
            raise ValidationError(_("分数不能超过满分 %(max)d 分。") % scale, code="max")
        return number


class SheetForm(forms.Form):
    """Six scores, each with an optional remark, for one shop."""

    def __init__(self, *args, scale_max, sheet=None, **kwargs):
        if sheet is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: value
                for dimension, score, remark in sheet.scores()
                for name, value in ((dimension.key, score), (f"{dimension.key}_remark", remark))
            }
        super().__init__(*args, **kwargs)
        for dimension in DIMENSIONS:
            self.fields[dimension.key] = ScoreField(
                label=dimension.label, scale_max=scale_max, help_text=dimension.help_text
            )
            self.fields[f"{dimension.key}_remark"] = forms.CharField(
                label=_("%(dimension)s备注") % {"dimension": dimension.label},
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("可不填")}),
            )

    def rows(self):
        """(dimension, score field, remark field) in the order the sheet shows them."""
        return [(d, self[d.key], self[f"{d.key}_remark"]) for d in DIMENSIONS]


# --- Who may score ------------------------------------------------------------------------------


def resident_refusal(round_, merchant, user):
    """Why this signed-in person may not score the shop as a resident, or None."""
    person = Person.objects.filter(user=user).first()
    if person is None or not person.is_verified or person.closed_at is not None:
        return _("请用验证过的手机号码登录后再评分。")
    if ShopStaff.objects.filter(person=person, merchant=merchant, active=True).exists():
        return _("您是这家商户的店员，不能给本店评分。")
    return None


def staff_party(round_, user):
    return round_.staff_party_of(user) if user.is_authenticated else None


# --- The one write ------------------------------------------------------------------------------


def save_sheet(round_, merchant, rater, party, cleaned):
    """Save `rater`'s whole sheet for `merchant` from a valid SheetForm's cleaned data.

    Returns (sheet, number of dimensions changed). Raises ScoringRefused when the round is not in
    scoring (or its dates), the shop is not in it, or the rater may not score for `party`.
    """
    with transaction.atomic():
        # The lock orders saves against a transition: a sheet saved after 公示 began cannot slip in.
        locked = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
        if not locked.scoring_open_on(timezone.localdate()):
            raise ScoringRefused(_("本次评选现在不在评分期，评分没有保存。"))
        if not locked.shops.filter(pk=merchant.pk).exists():
            raise ScoringRefused(_("这家商户不参加本次评选。"))
        if party == Party.RESIDENT:
            refusal = resident_refusal(locked, merchant, rater)
        else:
            refusal = None if locked.staff_party_of(rater) == party else _("您不是本次评选的评分人。")
        if refusal:
            raise ScoringRefused(refusal)
        now = timezone.now()
        sheet = _locked_sheet(locked, merchant, rater)
        if sheet is None:
            try:
                with transaction.atomic():
                    sheet = ScoreSheet.objects.create(
                        round=locked,
                        merchant=merchant,
                        rater=rater,
                        party=party,
                        created_at=now,
                        updated_at=now,
                        **_values(cleaned),
                    )
            except IntegrityError:
                # Another submit of the same first sheet won the insert: this one updates it.
                sheet = _locked_sheet(locked, merchant, rater)
                if sheet is None:
                    raise
                return sheet, _update(sheet, cleaned, rater, now)
            SheetChange.objects.bulk_create(
                SheetChange(
                    sheet=sheet,
                    dimension=key,
                    new_score=cleaned[key],
                    new_remark=cleaned[f"{key}_remark"],
                    changed_by=rater,
                    changed_at=now,
                )
                for key in _keys()
            )
            return sheet, len(DIMENSIONS)
        return sheet, _update(sheet, cleaned, rater, now)


def _keys():
    return [d.key for d in DIMENSIONS]


def _values(cleaned):
    values = {}
    for key in _keys():
        values[key] = cleaned[key]
        values[f"{key}_remark"] = cleaned[f"{key}_remark"]
    return values


def _locked_sheet(round_, merchant, rater):
    return ScoreSheet.objects.select_for_update().filter(round=round_, merchant=merchant, rater=rater).first()


def _update(sheet, cleaned, rater, now):
    changes = []
    for key in _keys():
        old_score, old_remark = getattr(sheet, key), getattr(sheet, f"{key}_remark")
        new_score, new_remark = cleaned[key], cleaned[f"{key}_remark"]
        if (old_score, old_remark) != (new_score, new_remark):
            changes.append(
                SheetChange(
                    sheet=sheet,
                    dimension=key,
                    old_score=old_score,
                    new_score=new_score,
                    old_remark=old_remark,
                    new_remark=new_remark,
                    changed_by=rater,
                    changed_at=now,
                )
            )
            setattr(sheet, key, new_score)
            setattr(sheet, f"{key}_remark", new_remark)
    if changes:
        sheet.updated_at = now
        sheet.save()
        SheetChange.objects.bulk_create(changes)
    return len(changes)
