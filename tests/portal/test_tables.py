"""portal.tables: cells and filter selects built in Python read as Wagtail's and Django's templates
render them, with every value escaped."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django import forms

from portal.tables import DateTimeColumn, LinkColumn, StatusColumn, TextColumn
from portal.widgets import PlainSelect, choice_input

HOSTILE = '<script>alert("x")</script>'


def test_text_cells_escape_their_value_and_mark_an_empty_one():
    column = TextColumn("place", label="地点", accessor="address")
    assert column.cell_html(SimpleNamespace(address=HOSTILE)) == (
        "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>"
    )
    assert column.cell_html(SimpleNamespace(address="  "), ' data-column="place"') == (
        '<td data-column="place" data-empty></td>'
    )


def test_link_and_status_cells():
    link = LinkColumn("reference", label="编号", get_url=lambda r: f"/admin/cases/{r.pk}/?a=1&b=2")
    assert link.cell_html(SimpleNamespace(pk=7, reference=HOSTILE)) == (
        '<td class="title"><div class="title-wrapper"><a href="/admin/cases/7/?a=1&amp;b=2">'
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</a></div></td>"
    )
    status = StatusColumn("state", label="状态", accessor="label", primary=lambda r: r.open)
    assert status.cell_html(SimpleNamespace(label="办理中", open=True)) == (
        '<td><span class="w-status w-status--primary">办理中</span></td>'
    )
    assert status.cell_html(SimpleNamespace(label="已归档", open=False)) == (
        '<td><span class="w-status">已归档</span></td>'
    )


def test_a_missed_deadline_is_red_and_says_so(settings):
    moment = datetime.datetime(2026, 11, 23, 8, 30, tzinfo=datetime.UTC)
    column = DateTimeColumn("resolve_due", label="办结期限", overdue="late")
    on_time = column.cell_html(SimpleNamespace(resolve_due=moment, late=False))
    assert on_time == (
        '<td><span class="deadline"><time datetime="2026-11-23T16:30:00+08:00">2026年11月23日 16:30</time></span></td>'
    )
    late = column.cell_html(SimpleNamespace(resolve_due=moment.astimezone(ZoneInfo("UTC")), late=True))
    assert 'class="deadline deadline--overdue w-text-critical-200"' in late and "<strong>已超期</strong>" in late
    assert column.cell_html(SimpleNamespace(resolve_due=None, late=True), " data-x") == "<td data-x data-empty></td>"


def test_plain_select_renders_what_djangos_select_does():
    choices = [("", "全部"), ("1", HOSTILE), ("2", "东关社区 · 第二网格"), ("组", [("3", "甲"), ("4", "乙")])]
    ours = PlainSelect(choices=choices).render("grid", "2", attrs={"id": "id_grid"})
    django = forms.Select(choices=choices).render("grid", "2", attrs={"id": "id_grid"})
    assert "".join(ours.split()) == "".join(django.split())
    assert "<script>" not in ours and '<option value="2" selected>' in ours


def test_choice_inputs_render_what_djangos_radio_and_checkbox_templates_do():
    class Form(forms.Form):
        one = forms.ChoiceField(choices=[("a", "甲"), ("b", HOSTILE)], widget=forms.RadioSelect)
        many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], widget=forms.CheckboxSelectMultiple)

    form = Form(data={"one": "b", "many": ["1", "2"]})
    for name in ("one", "many"):
        for choice in form[name]:
            django = choice.tag()
            ours = choice_input(choice)
            # The same attributes (flatatt writes the boolean ones sorted, Django's template in order).
            assert sorted(ours[:-1].split()) == sorted(django[: django.index(">")].split()), (ours, django)
    assert 'value="b" id="id_one_1" checked required' in choice_input(form["one"][1])
