"""How much of the admin reaches an editor in Chinese, read from the gettext catalogues themselves.

Wagtail's and Django's own zh_Hans catalogues leave hundreds of admin strings in English; ours in
locale/zh_Hans (LOCALE_PATHS, which Django merges over every app's) completes them.
`manage.py check_admin_catalogue` measures, with this module, every msgid of the catalogues we
hold to 100% against what Django actually loads for zh-hans, without and with ours.
"""

import ast
import gettext
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import django
import wagtail
from django.apps import apps
from django.conf import settings
from django.utils.translation import to_locale
from django.utils.translation.trans_real import DjangoTranslation

DOMAINS = ("django", "djangojs")
# The packages whose djangojs catalogue Wagtail's admin serves (wagtail/admin/views/i18n.py).
JS_PACKAGES = ("wagtail.admin",)
# gettext joins a context and its msgid with EOT in .mo files.
CONTEXT_SEPARATOR = "\x04"

_PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
_BRACE = re.compile(r"\{[^{}]*\}")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@dataclass(frozen=True)
class Entry:
    """One message of a .po file; msgstr holds msgstr or msgstr[0..n] in order."""

    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    comments: tuple[str, ...] = ()

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def translated(self):
        return "fuzzy" not in self.flags and bool(self.msgstr) and all(self.msgstr)


def mo_key(key):
    msgctxt, msgid = key
    return msgid if msgctxt is None else f"{msgctxt}{CONTEXT_SEPARATOR}{msgid}"


# --- Reading and writing .po files ----------------------------------------------------------


def read_po(path):
    """The entries of a .po file, header and obsolete (#~) entries left out."""
    entries, fields, flags, comments, last = [], {}, set(), [], None

    def finish():
        nonlocal fields, flags, comments, last
        if "msgid" in fields and fields["msgid"]:
            plurals = sorted(k for k in fields if k.startswith("msgstr["))
            msgstr = tuple(fields[k] for k in plurals) if plurals else (fields.get("msgstr", ""),)
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgctxt=fields.get("msgctxt"),
                    msgid_plural=fields.get("msgid_plural"),
                    msgstr=msgstr,
                    flags=frozenset(flags),
                    comments=tuple(comments),
                )
            )
        fields, flags, comments, last = {}, set(), [], None

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#~") or not line:
            if not line and fields:
                finish()
            continue
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in fields):
                finish()
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith(("#:", "#.")):
                comments.append(line)
            continue
        if line.startswith('"'):
            fields[last] += ast.literal_eval(line)
            continue
        keyword, _space, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
            finish()
        fields[keyword], last = ast.literal_eval(value), keyword
    finish()
    return entries


def _quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if len(parts) == 1:
        return f'"{parts[0]}"'
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def format_entry(entry):
    """An entry as .po text (no trailing blank line)."""
    lines = list(entry.comments)
    if entry.flags:
        lines.append("#, " + ", ".join(sorted(entry.flags)))
    if entry.msgctxt is not None:
        lines.append(f"msgctxt {_quote(entry.msgctxt)}")
    lines.append(f"msgid {_quote(entry.msgid)}")
    if entry.msgid_plural is None:
        lines.append(f"msgstr {_quote(entry.msgstr[0] if entry.msgstr else '')}")
    else:
        lines.append(f"msgid_plural {_quote(entry.msgid_plural)}")
        for n, text in enumerate(entry.msgstr or ("",)):
            lines.append(f"msgstr[{n}] {_quote(text)}")
    return "\n".join(lines)


# --- Placeholders that a translation must keep ----------------------------------------------


def placeholder_problems(entry):
    """What a translation changed of the placeholders and tags its msgid relies on, as sentences."""
    problems = []
    sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    # Chinese has one plural form, used for n == 1 too: it may take the plural's placeholders, so
    # a named placeholder must come from either form; positional ones must match one in number.
    named = {p for source in sources for p in _PERCENT.findall(source) if "(" in p}
    for text in entry.msgstr:
        if not text:
            continue
        used = [p for p in _PERCENT.findall(text) if p != "%%"]
        if unknown := {p for p in used if "(" in p} - named:
            problems.append(f"unknown placeholders {sorted(unknown)}")
        positional = [p for p in used if "(" not in p]
        if positional and all(
            Counter(positional) != Counter(p for p in _PERCENT.findall(s) if "(" not in p and p != "%%")
            for s in sources
        ):
            problems.append(f"positional placeholders {positional} differ from the msgid's")
        if "python-brace-format" in entry.flags:
            braces = {p for source in sources for p in _BRACE.findall(source)}
            if unknown := set(_BRACE.findall(text)) - braces:
                problems.append(f"unknown placeholders {sorted(unknown)}")
        if all(Counter(_TAG.findall(text)) != Counter(_TAG.findall(source)) for source in sources):
            problems.append("HTML tags differ from the msgid's")
    return problems


# --- What Django loads ----------------------------------------------------------------------


class _WithoutProjectCatalogue(DjangoTranslation):
    """Django's own merge of every installed app's catalogue, with LOCALE_PATHS left out: the before."""

    def _add_local_translations(self):
        pass


def runtime_translation(domain, with_project=True):
    """A fresh copy of the translation Django builds for the site language, as the admin gets it."""
    cls = DjangoTranslation if with_project else _WithoutProjectCatalogue
    localedirs = None
    if domain == "djangojs":  # as JavaScriptCatalog(packages=JS_PACKAGES) finds them
        configs = {config.name: config for config in apps.get_app_configs()}
        localedirs = [Path(configs[package].path) / "locale" for package in JS_PACKAGES]
    return cls(settings.LANGUAGE_CODE, domain=domain, localedirs=localedirs)


def translates(translation, entry):
    """True when translation (or a fallback gettext chains to it, e.g. zh under zh_Hans) has entry."""
    key = mo_key(entry.key)
    if entry.msgid_plural is not None:
        key = (key, 0)
    while translation is not None:
        catalog = getattr(translation, "_catalog", None)
        if catalog is not None and key in catalog:
            return True
        translation = getattr(translation, "_fallback", None)
    return False


# --- The catalogues we hold to 100% ---------------------------------------------------------


@dataclass
class Source:
    """One catalogue of msgids an editor may meet: a package's English .po of one domain."""

    label: str
    domain: str
    path: Path
    entries: list = field(default_factory=list)


def _english_catalogue(localedir, domain):
    """The package's English catalogue; one without it (django-filters) lists its msgids in another."""
    english = localedir / "en" / "LC_MESSAGES" / f"{domain}.po"
    if english.exists():
        return english
    return next(iter(sorted(localedir.glob(f"*/LC_MESSAGES/{domain}.po"))), None)


def sources():
    """Django's own catalogue, every installed app's, and every catalogue of the pinned Wagtail.

    Wagtail's apps we have not installed are in too (table_block, search_promotions, ...): an
    editor meets them the day a page model starts using one, and they cost a few dozen strings.
    """
    dirs = {"django": Path(django.__file__).parent / "conf" / "locale"}
    for config in apps.get_app_configs():
        dirs[config.name] = Path(config.path) / "locale"
    wagtail_root = Path(wagtail.__file__).parent
    for localedir in sorted(wagtail_root.glob("**/locale")):
        package = ".".join(("wagtail", *localedir.parent.relative_to(wagtail_root).parts))
        dirs.setdefault(package, localedir)
    found = []
    for label, localedir in dirs.items():
        for domain in DOMAINS:
            if domain == "djangojs" and label not in JS_PACKAGES:
                continue  # no other package's JavaScript catalogue is served to the admin
            if localedir.is_dir() and (path := _english_catalogue(localedir, domain)):
                found.append(Source(label, domain, path, read_po(path)))
    return found


def project_catalogue(domain):
    """Our .po of one domain, in the first LOCALE_PATHS directory."""
    return Path(settings.LOCALE_PATHS[0]) / to_locale(settings.LANGUAGE_CODE) / "LC_MESSAGES" / f"{domain}.po"


def mo_catalog(path):
    """The messages of a compiled .mo file as gettext reads them, header ("" msgid) included."""
    with open(path, "rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)


# --- Measuring and checking -----------------------------------------------------------------


@dataclass
class Coverage:
    """One source catalogue's msgids that Django translates without ours (before) and with them."""

    source: Source
    before: set
    after: set

    @property
    def missing(self):
        return [e for e in self.source.entries if e.key not in self.after]


def coverage(found=None):
    """The coverage of every source catalogue, in the order sources() gives them."""
    before = {domain: runtime_translation(domain, with_project=False) for domain in DOMAINS}
    after = {domain: runtime_translation(domain) for domain in DOMAINS}
    return [
        Coverage(
            source,
            before={e.key for e in source.entries if translates(before[source.domain], e)},
            after={e.key for e in source.entries if translates(after[source.domain], e)},
        )
        for source in found or sources()
    ]


def untranslated(rows):
    """(row, entry) of each msgid Django leaves in English, once per domain though in two catalogues."""
    seen = set()
    for row in rows:
        for entry in row.missing:
            if (row.source.domain, entry.key) not in seen:
                seen.add((row.source.domain, entry.key))
                yield row, entry


def domain_totals(rows, domain):
    """(msgids, translated before, translated after) of one domain, a msgid in two catalogues once."""
    rows = [row for row in rows if row.source.domain == domain]
    keys = {e.key for row in rows for e in row.source.entries}
    return len(keys), len(set().union(*(r.before for r in rows))), len(set().union(*(r.after for r in rows)))


class CatalogueError(Exception):
    """msgfmt is missing or refuses our catalogue."""


def msgfmt(po, mo):
    """Compile po into mo with msgfmt's format checks; returns its statistics line."""
    if not (binary := shutil.which("msgfmt")):
        raise CatalogueError("msgfmt not found: install gettext (make messages does)")
    # Our own .po, a fixed argument list and no shell: nothing untrusted reaches the process.
    result = subprocess.run(  # noqa: S603
        [binary, "--check", "--statistics", "-o", str(mo), str(po)], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise CatalogueError(result.stderr.strip())
    return result.stderr.strip().splitlines()[-1]


def check_project_catalogue(domain, found=None):
    """msgfmt's statistics of our catalogue of one domain, and what is wrong with it ([] if nothing).

    Wrong: an entry untranslated or fuzzy, a placeholder or tag lost, a msgid the pinned versions
    no longer have, or a committed .mo that differs from what msgfmt makes of the .po today.
    """
    po = project_catalogue(domain)
    if not po.exists():
        return "", [f"{po} is missing"]
    problems = []
    wanted = {e.key for source in found or sources() if source.domain == domain for e in source.entries}
    for entry in read_po(po):
        where = f"{po.name} {entry.msgid!r}"
        if not entry.translated:
            problems.append(f"{where} is untranslated or fuzzy")
        problems.extend(f"{where}: {problem}" for problem in placeholder_problems(entry))
        if entry.key not in wanted:
            problems.append(f"{where} is in no catalogue of the installed versions: remove it")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.mo"
        try:
            statistics = msgfmt(po, fresh)
        except CatalogueError as error:
            return "", [*problems, f"msgfmt {po.name}: {error}"]
        if "untranslated" in statistics or "fuzzy" in statistics:
            problems.append(f"msgfmt {po.name}: {statistics}")
        committed = po.with_suffix(".mo")
        if not committed.exists() or mo_catalog(committed) != mo_catalog(fresh):
            problems.append(f"{committed.name} is stale: run make messages and commit it")
    return statistics, problems
