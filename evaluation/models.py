"""Quarterly merchant evaluation (评选): a round, its scoring sheets, and their history.

- EvaluationRound: which shops are scored, on six dimensions (评分维度) with editable weights, by
  three parties (评分方) with weights, on a score scale; draft → scoring → published (公示) → final,
  moved only by evaluation/transitions.py.
- ScoreSheet: one rater's six scores (and remarks) for one shop in one round. One sheet per rater,
  shop and round, enforced by the database: a resident scores a shop once per round.
- SheetChange and RoundEvent: what happened, append-only in the database (portal/appendonly.py):
  every score given or changed (who, when, old → new), every move of a round.

The result is computed from the sheets when it is read (evaluation/results.py), in a fixed number of
queries; nothing derived is stored, so a corrected score cannot leave a stale total behind.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Community, Merchant


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    help_text: str


# The six dimensions of the alliances' practice (DOMAIN.md), in the order sheets show them.
DIMENSIONS = (
    Dimension("hygiene", _("卫生"), _("店内外整洁、垃圾分类、油烟处理")),
    Dimension("service", _("服务"), _("待客态度、惠民措施是否兑现")),
    Dimension("honesty", _("诚信（含公平秤）"), _("明码标价、足斤足两、公平秤")),
    Dimension("safety", _("安全"), _("消防、用电、燃气、通道畅通")),
    Dimension("display", _("外摆/市容"), _("不占道经营、门前三包")),
    Dimension("contribution", _("公益"), _("参加志愿服务、街区管家值日、帮扶居民")),
)
DIMENSION_KEYS = tuple(d.key for d in DIMENSIONS)


class Party(models.TextChoices):
    COMMUNITY = "community", _("社区")
    CHAMBER = "chamber", _("商会")
    RESIDENT = "resident", _("居民")


PARTIES = (Party.COMMUNITY, Party.CHAMBER, Party.RESIDENT)


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SCORING = "scoring", _("评分中")
    PUBLISHED = "published", _("公示中")
    FINAL = "final", _("已定稿")


def _weight(label, default, help_text):
    return models.PositiveSmallIntegerField(label, default=default, help_text=help_text)


class EvaluationRound(models.Model):
    """One quarter's evaluation of member shops in one community or a chamber's several communities."""

    title = models.CharField(_("名称"), max_length=60, help_text=_("例如：2027年第一季度"))
    communities = models.ManyToManyField(
        Community,
        related_name="evaluation_rounds",
        verbose_name=_("社区"),
        help_text=_("一个社区，或商会覆盖的几个社区"),
    )
    shops = models.ManyToManyField(
        Merchant,
        related_name="evaluation_rounds",
        blank=True,
        verbose_name=_("参评商户"),
        help_text=_("参加本次评选的联盟商户，须属于上面所选的社区"),
    )
    opens_on = models.DateField(_("开始评分日期"), help_text=_("评分人从这一天起可以打分"))
    closes_on = models.DateField(_("截止评分日期"), help_text=_("这一天之后不能再打分"))
    objection_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), default=5, help_text=_("结果公示的工作日天数，按法定节假日和调休计算")
    )
    weight_hygiene = _weight(_("卫生权重"), 20, _("百分比，六项之和须为 100"))
    weight_service = _weight(_("服务权重"), 20, _("百分比"))
    weight_honesty = _weight(_("诚信（含公平秤）权重"), 20, _("百分比"))
    weight_safety = _weight(_("安全权重"), 15, _("百分比"))
    weight_display = _weight(_("外摆/市容权重"), 15, _("百分比"))
    weight_contribution = _weight(_("公益权重"), 10, _("百分比"))
    weight_community = _weight(_("社区评分权重"), 40, _("百分比，三方之和须为 100"))
    weight_chamber = _weight(_("商会评分权重"), 30, _("百分比"))
    weight_resident = _weight(_("居民评分权重"), 30, _("百分比"))
    community_raters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="community_rated_rounds",
        blank=True,
        verbose_name=_("社区评分人"),
        help_text=_("社区工作人员的后台账号"),
    )
    chamber_raters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="chamber_rated_rounds",
        blank=True,
        verbose_name=_("商会评分人"),
        help_text=_("商会工作人员的后台账号"),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("满分"), default=10, help_text=_("每项打 0 到满分之间的整数，默认 0—10 分")
    )
    min_resident_scores = models.PositiveSmallIntegerField(
        _("居民评分最少份数"),
        default=3,
        help_text=_("一家商户收到的居民评分少于这个数时，居民一方不计，其权重按比例分给社区和商会"),
    )
    top_count = models.PositiveSmallIntegerField(
        _("文明诚信商户名额"), default=3, help_text=_("总分排名前几位评为文明诚信商户（并列的一并评上）")
    )
    black_list_below = models.DecimalField(
        _("黑榜分数线"), max_digits=5, decimal_places=2, default=60, help_text=_("总分（百分制）低于此分列入黑榜")
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT, editable=False)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True, editable=False)
    objections_until = models.DateTimeField(_("公示截止"), null=True, blank=True, editable=False)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("评选")
        verbose_name_plural = _("评选")
        ordering = ["-opens_on", "-pk"]
        permissions = [("manage_evaluationround", _("可以开启、公示和定稿评选"))]

    def __str__(self):
        return self.title

    def dimension_weight(self, key):
        return getattr(self, f"weight_{key}")

    def party_weight(self, party):
        return getattr(self, f"weight_{party}")

    @property
    def dimension_weights(self):
        return [(d, self.dimension_weight(d.key)) for d in DIMENSIONS]

    @property
    def party_weights(self):
        return [(p, self.party_weight(p)) for p in PARTIES]

    @property
    def is_scoring(self):
        return self.state == State.SCORING

    def scoring_open_on(self, day=None):
        """True while sheets may be saved: the round is in scoring and `day` within its dates."""
        day = day or timezone.localdate()
        return self.state == State.SCORING and self.opens_on <= day <= self.closes_on

    @property
    def is_public(self):
        return self.state in (State.PUBLISHED, State.FINAL)

    def staff_party_of(self, user):
        """The staff party `user` rates for in this round (社区 before 商会 if named for both), or None."""
        if self.community_raters.filter(pk=user.pk).exists():
            return Party.COMMUNITY
        if self.chamber_raters.filter(pk=user.pk).exists():
            return Party.CHAMBER
        return None

    def clean(self):
        errors = {}
        dimension_total = sum(self.dimension_weight(key) or 0 for key in DIMENSION_KEYS)
        if dimension_total != 100:
            errors["weight_hygiene"] = _("六个评分维度的权重之和须为 100，现在是 %(total)d。") % {
                "total": dimension_total
            }
        party_total = sum(self.party_weight(p) or 0 for p in PARTIES)
        if party_total != 100:
            errors["weight_community"] = _("社区、商会、居民三方的权重之和须为 100，现在是 %(total)d。") % {
                "total": party_total
            }
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("截止评分日期不能早于开始评分日期。")
        if self.opens_on and self.closes_on and self.closes_on - self.opens_on > datetime.timedelta(days=366):
            errors["closes_on"] = _("评分期不能超过一年。")
        if self.scale_max is not None and not 1 <= self.scale_max <= 100:
            errors["scale_max"] = _("满分须在 1 到 100 之间。")
        if self.objection_days is not None and not 1 <= self.objection_days <= 30:
            errors["objection_days"] = _("公示期须在 1 到 30 个工作日之间。")
        if self.top_count is not None and self.top_count < 1:
            errors["top_count"] = _("文明诚信商户名额至少为 1。")
        if self.black_list_below is not None and not 0 <= self.black_list_below <= 100:
            errors["black_list_below"] = _("黑榜分数线须在 0 到 100 之间。")
        if errors:
            raise ValidationError(errors)


def _score(dimension):
    return models.PositiveSmallIntegerField(dimension.label)


def _remark(dimension):
    return models.CharField(_("%(dimension)s备注") % {"dimension": dimension.label}, max_length=200, blank=True)


class ScoreSheet(models.Model):
    """One rater's scores of one shop in one round: six scores, each with an optional remark."""

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("评选"))
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("商户")
    )
    party = models.CharField(_("评分方"), max_length=12, choices=Party.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("评分人")
    )
    hygiene = _score(DIMENSIONS[0])
    service = _score(DIMENSIONS[1])
    honesty = _score(DIMENSIONS[2])
    safety = _score(DIMENSIONS[3])
    display = _score(DIMENSIONS[4])
    contribution = _score(DIMENSIONS[5])
    hygiene_remark = _remark(DIMENSIONS[0])
    service_remark = _remark(DIMENSIONS[1])
    honesty_remark = _remark(DIMENSIONS[2])
    safety_remark = _remark(DIMENSIONS[3])
    display_remark = _remark(DIMENSIONS[4])
    contribution_remark = _remark(DIMENSIONS[5])
    created_at = models.DateTimeField(_("首次保存"), default=timezone.now)
    updated_at = models.DateTimeField(_("最后修改"), default=timezone.now)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        constraints = [
            # One sheet per rater, shop and round: a resident scores a shop once per round.
            models.UniqueConstraint(fields=["round", "merchant", "rater"], name="one_sheet_per_rater_shop_round"),
        ]
        indexes = [models.Index(fields=["round", "rater"], name="sheet_round_rater")]

    def __str__(self):
        return f"{self.round} · {self.merchant} · {self.get_party_display()}"

    def scores(self):
        return [(d, getattr(self, d.key), getattr(self, f"{d.key}_remark")) for d in DIMENSIONS]


class SheetChange(models.Model):
    """A score given or changed on a sheet (append-only): who, when, old → new, for one dimension."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="changes", verbose_name=_("评分表"))
    dimension = models.CharField(_("评分维度"), max_length=20, choices=[(d.key, d.label) for d in DIMENSIONS])
    old_score = models.PositiveSmallIntegerField(_("原分数"), null=True, blank=True)
    new_score = models.PositiveSmallIntegerField(_("新分数"))
    old_remark = models.CharField(_("原备注"), max_length=200, blank=True)
    new_remark = models.CharField(_("新备注"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )
    changed_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评分记录")
        verbose_name_plural = _("评分记录")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_dimension_display()} {self.old_score} → {self.new_score}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("评分记录只能新增，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("评分记录不能删除。"))


class RoundEvent(models.Model):
    """A move of a round through its states (append-only), written by evaluation/transitions.record."""

    class Action(models.TextChoices):
        OPEN = "open", _("开始评分")
        PUBLISH = "publish", _("公示结果")
        FINALISE = "finalise", _("定稿")

    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="events", verbose_name=_("评选"))
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=12, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评选记录")
        verbose_name_plural = _("评选记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.round} · {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("评选记录只能新增，不能修改。"))
        super().save(*args, **kwargs)
