"""Admin wiring of evaluation: the 商户评选 menu (rounds as a snippet, 我的评分 for raters), its URLs
and the audit log's actions; and the residents' scoring section on 我的 (accounts does not import us)."""

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.adminmenu import PermittedMenuItem

from . import admin_views, views
from . import permissions as can
from .forms import RoundAdminForm
from .models import EvaluationRound

app_name = "evaluation_admin"

urlpatterns = [
    path("rounds/<int:pk>/", admin_views.RoundView.as_view(), name="round"),
    path("rounds/<int:pk>/move/", admin_views.TransitionView.as_view(), name="transition"),
    path("rounds/<int:pk>/result/", admin_views.ResultView.as_view(), name="result"),
    path("score/", admin_views.MyRoundsView.as_view(), name="my_rounds"),
    path("score/<int:pk>/", admin_views.RaterShopsView.as_view(), name="shops"),
    path("score/<int:pk>/<int:merchant_pk>/", admin_views.RaterSheetView.as_view(), name="sheet"),
]


@hooks.register("register_admin_urls")
def register_evaluation_urls():
    return [path("evaluation/", include((urlpatterns, app_name), namespace=app_name))]


class RoundIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.insert(
            0,
            ListingButton(
                _("评选详情"), url=reverse("evaluation_admin:round", args=[instance.pk]), icon_name="view", priority=5
            ),
        )
        buttons.insert(
            1,
            ListingButton(
                _("评选结果"), url=reverse("evaluation_admin:result", args=[instance.pk]), icon_name="table", priority=6
            ),
        )
        return buttons


def _weights(keys, heading):
    return MultiFieldPanel(
        [FieldRowPanel([FieldPanel(k) for k in keys[i : i + 3]]) for i in range(0, len(keys), 3)], heading=heading
    )


class RoundViewSet(SnippetViewSet):
    model = EvaluationRound
    index_view_class = RoundIndexView
    icon = "pick"
    menu_label = _("评选")
    list_display = ["title", Column("get_state_display", label=_("状态")), "opens_on", "closes_on"]
    list_filter = ["state"]
    ordering = ["-opens_on", "-pk"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("title"),
                    FieldPanel("communities", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("shops", widget=forms.CheckboxSelectMultiple),
                    FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on"), FieldPanel("objection_days")]),
                ],
                heading=_("评选"),
            ),
            ObjectList(
                [
                    _weights(
                        [
                            "weight_hygiene",
                            "weight_service",
                            "weight_honesty",
                            "weight_safety",
                            "weight_display",
                            "weight_contribution",
                        ],
                        _("评分维度权重（%）"),
                    ),
                    _weights(["weight_community", "weight_chamber", "weight_resident"], _("评分方权重（%）")),
                    FieldRowPanel([FieldPanel("scale_max"), FieldPanel("min_resident_scores")]),
                    FieldRowPanel([FieldPanel("top_count"), FieldPanel("black_list_below")]),
                ],
                heading=_("评分规则"),
            ),
            ObjectList(
                [
                    FieldPanel("community_raters", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("chamber_raters", widget=forms.CheckboxSelectMultiple),
                ],
                heading=_("评分人"),
            ),
        ],
        base_form_class=RoundAdminForm,
    )


def _scores_as_staff(user):
    """Who is offered 我的评分: those who may read rounds (编辑, 审核, 商会), from the permissions Wagtail
    already holds for the request, so no admin page pays a query for the menu. The page lists only the
    rounds that name the user; a staff rater outside these groups is given its address."""
    return can.can_view_rounds(user)


class EvaluationGroup(SnippetViewSetGroup):
    menu_label = _("商户评选")
    menu_icon = "pick"
    menu_name = "evaluation"
    menu_order = 170
    items = (RoundViewSet,)

    def get_submenu_items(self):
        return super().get_submenu_items() + [
            PermittedMenuItem(
                _("我的评分"), reverse("evaluation_admin:my_rounds"), _scores_as_staff, icon_name="edit", order=20
            )
        ]


register_snippet(EvaluationGroup)


@hooks.register("register_log_actions")
def register_evaluation_log_actions(actions):
    actions.register_action("evaluation.open", _("开始评分"), _("开始了评分"))
    actions.register_action("evaluation.publish", _("公示结果"), _("公示了评选结果"))
    actions.register_action("evaluation.finalise", _("定稿"), _("评选定稿"))


@hooks.register("my_sections")
def my_scoring(request, person):
    return views.my_scoring_section(request, person)
