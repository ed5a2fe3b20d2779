"""The admin catalogue checker (portal/catalogue.py, manage.py check_admin_catalogue) that make lint runs.

It must pass on the committed catalogue and fail on each way the catalogue can go wrong: a msgid
left in English, a translation that lost a placeholder, a .mo not recompiled after the .po changed.
"""

import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from portal import catalogue

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

#: templates/a.html:1
#, python-format
msgid "Anyone can edit this %(model_name)s"
msgstr "任何人都可以编辑此%(model_name)s"

msgctxt "verb"
msgid "Lock"
msgstr ""
"锁"
"定"

#, fuzzy
msgid "Draft"
msgstr "草稿"

msgid "Say \\"hi\\"\\n"
msgstr ""

#, python-format
msgid "%(count)s page"
msgid_plural "%(count)s pages"
msgstr[0] "%(count)s 个页面"

#~ msgid "Gone"
#~ msgstr "已删"
"""


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample.po"
    path.write_text(PO, encoding="utf-8")
    return path


def test_reads_entries_contexts_plurals_and_flags(sample):
    entries = {e.key: e for e in catalogue.read_po(sample)}
    assert set(entries) == {
        (None, "Anyone can edit this %(model_name)s"),
        ("verb", "Lock"),
        (None, "Draft"),
        (None, 'Say "hi"\n'),
        (None, "%(count)s page"),
    }
    assert entries[("verb", "Lock")].msgstr == ("锁定",)
    assert entries[(None, "%(count)s page")].msgid_plural == "%(count)s pages"
    assert entries[(None, "Anyone can edit this %(model_name)s")].flags == {"python-format"}
    assert [key for key, e in entries.items() if e.translated] == [
        (None, "Anyone can edit this %(model_name)s"),
        ("verb", "Lock"),
        (None, "%(count)s page"),
    ]


def test_written_entries_read_back_the_same(sample, tmp_path):
    entries = catalogue.read_po(sample)
    again = tmp_path / "again.po"
    again.write_text("\n\n".join(catalogue.format_entry(e) for e in entries) + "\n", encoding="utf-8")
    assert catalogue.read_po(again) == entries


@pytest.mark.parametrize(
    ("msgid", "plural", "msgstr", "problem"),
    [
        ("Edit %(title)s", None, "编辑%(name)s", "unknown placeholders"),
        ("%s of %s", None, "%s", "positional"),
        ("Locked by <b>%(who)s</b>", None, "由 %(who)s 锁定", "HTML tags"),
        ("'{title}' is locked", None, "“{name}”已锁定", "unknown placeholders"),
    ],
)
def test_lost_placeholders_and_tags_are_problems(msgid, plural, msgstr, problem):
    flags = frozenset({"python-brace-format"}) if "{" in msgid else frozenset({"python-format"})
    entry = catalogue.Entry(msgid=msgid, msgid_plural=plural, msgstr=(msgstr,), flags=flags)
    assert any(problem in p for p in catalogue.placeholder_problems(entry))


def test_the_one_chinese_plural_form_may_use_the_plural_placeholders():
    entry = catalogue.Entry(
        msgid="This page has one subpage",
        msgid_plural="This page has %(count)s subpages",
        msgstr=("有 %(count)s 个子页面",),
    )
    assert catalogue.placeholder_problems(entry) == []


# --- The command, as make lint runs it (msgfmt is a second process) --------------------------

needs_msgfmt = pytest.mark.subprocess


def project_copy(tmp_path):
    """A copy of our locale/ to break, as LOCALE_PATHS."""
    source = catalogue.project_catalogue("django").parents[2]
    shutil.copytree(source, tmp_path / "locale")
    return tmp_path / "locale"


def compile_all(locale):
    for po in locale.glob("*/LC_MESSAGES/*.po"):
        subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)


@needs_msgfmt
def test_passes_on_the_committed_catalogue_and_reports_before_and_after(capsys):
    call_command("check_admin_catalogue")
    out = capsys.readouterr().out
    assert "wagtail.admin" in out
    assert "msgfmt --statistics django.po" in out
    assert "Every admin msgid has its Chinese." in out
    # The totals line of each domain ends with the after share: 100%.
    for domain in catalogue.DOMAINS:
        totals = next(line for line in out.splitlines() if line.startswith(domain) and "each msgid once" in line)
        assert totals.endswith("100.0%"), totals


@needs_msgfmt
def test_fails_on_a_msgid_left_in_english(tmp_path, capsys):
    locale = project_copy(tmp_path)
    po = locale / "zh_Hans" / "LC_MESSAGES" / "djangojs.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "插入区块"', 'msgstr ""'), encoding="utf-8")
    compile_all(locale)
    with override_settings(LOCALE_PATHS=[locale]), pytest.raises(CommandError):
        call_command("check_admin_catalogue")
    err = capsys.readouterr().err
    assert "untranslated [djangojs wagtail.admin] 'Insert a block'" in err


@needs_msgfmt
def test_fails_on_a_stale_mo(tmp_path, capsys):
    locale = project_copy(tmp_path)
    po = locale / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.write_text(po.read_text(encoding="utf-8").replace("登录管理后台", "登录后台"), encoding="utf-8")
    with override_settings(LOCALE_PATHS=[locale]), pytest.raises(CommandError):
        call_command("check_admin_catalogue")
    assert "django.mo is stale" in capsys.readouterr().err


@needs_msgfmt
def test_fails_on_a_lost_placeholder(tmp_path, capsys):
    locale = project_copy(tmp_path)
    po = locale / "zh_Hans" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(
        text.replace('msgstr "任何人都可以编辑此%(model_name)s"', 'msgstr "任何人都可以编辑"'), encoding="utf-8"
    )
    with override_settings(LOCALE_PATHS=[locale]), pytest.raises(CommandError):
        call_command("check_admin_catalogue")
    assert "msgfmt django.po" in capsys.readouterr().err


def test_missing_prints_what_to_translate_as_po_entries(tmp_path, capsys):
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("check_admin_catalogue", "--missing")
    out = capsys.readouterr().out
    stub = '# djangojs wagtail.admin\n#: src/components/ComboBox/ComboBox.tsx:10\nmsgid "Insert a block"\nmsgstr ""'
    assert stub in out
    assert 'msgid "Sign in to Wagtail"' not in out  # Wagtail's own catalogue has it
