"""The scoring pages' shared steps, for staff raters in the admin and residents on 我的 alike:
the shops of a round with this rater's progress, and one sheet's GET and POST."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import ScoreSheet, SheetChange
from .scoring import ScoringRefused, SheetForm, save_sheet


def shops_with_progress(round_, rater):
    """[(shop, this rater's sheet or None)] in the order raters go through them (two queries)."""
    mine = {s.merchant_id: s for s in ScoreSheet.objects.filter(round=round_, rater=rater)}
    return [(shop, mine.get(shop.pk)) for shop in round_.shops.order_by("name", "pk")]


def next_shop(progress, after):
    """The first shop after `after` (then from the top) this rater has not scored yet."""
    pks = [shop.pk for shop, _sheet in progress]
    start = pks.index(after.pk) + 1 if after.pk in pks else 0
    for shop, sheet in progress[start:] + progress[:start]:
        if sheet is None and shop.pk != after.pk:
            return shop
    return None


def history(round_, merchant, rater):
    """This rater's changes to their own sheet for the shop, newest first (one query)."""
    return list(
        SheetChange.objects.filter(sheet__round=round_, sheet__merchant=merchant, sheet__rater=rater).order_by(
            "-changed_at", "-pk"
        )[:60]
    )


def sheet_step(request, round_, merchant, rater, party, *, sheet_url, list_url):
    """(response, form, refusal): a redirect after a save, else the form to show (with errors, and
    what was typed kept) and why saving is refused, if it is."""
    sheet = ScoreSheet.objects.filter(round=round_, merchant=merchant, rater=rater).first()
    refusal = None
    if request.method == "POST":
        form = SheetForm(request.POST, scale_max=round_.scale_max)
        if form.is_valid():
            try:
                _sheet, changed = save_sheet(round_, merchant, rater, party, form.cleaned_data)
            except ScoringRefused as refused:
                refusal = refused.messages[0]
            else:
                if changed:
                    messages.success(request, _("已保存“%(shop)s”的评分。") % {"shop": merchant.name})
                else:
                    messages.info(request, _("“%(shop)s”的评分没有改动。") % {"shop": merchant.name})
                following = next_shop(shops_with_progress(round_, rater), merchant)
                return redirect(sheet_url(following) if following else list_url), form, None
        return None, form, refusal
    if not round_.scoring_open_on():
        refusal = _("本次评选现在不在评分期，只能查看，不能保存。")
    return None, SheetForm(scale_max=round_.scale_max, sheet=sheet), refusal
