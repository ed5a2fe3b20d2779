"""The site search's own index, kept at write time: one SearchEntry per searchable page and merchant,
and its distinct tokens as SearchToken rows (home/search.py reads them).

An entry holds what depends only on the content: the tokens (portal.tokenize.stored_tokens) of the
title and of everything searched, and the excerpt, place or rule and date its result line shows.
It is rebuilt, in the same transaction, whenever the page or merchant row is saved with its content
(publishing saves the page; a draft revision saves only Wagtail's bookkeeping fields and is
skipped), and deleted with the row (CASCADE). What may change without touching the content is
never stored: live or not, view restrictions, the tree position (a move), membership status (a
suspension), the title shown and the first publication date are read through the page or merchant
row in the search query itself, so unpublishing, moving, restricting or suspending needs no update.

A renamed merchant also renames the honour rolls that cite it, so those are rebuilt with it.

The functions take the page or merchant as an object with the model's fields, so the data
migration (home 0005) can give them its historical models.
"""

import contextlib
import functools

from django.apps import apps as global_apps
from django.db.models.signals import post_save
from wagtail.models import Page

from bulletins.blocks import body_text
from bulletins.scheduling import describe_repeat
from portal.tokenize import stored_token_set, stored_tokens

# Searchable page models; the texts each searches, in the order Wagtail's index sees them
# (the models' search_tokens; tests/home/test_searchindex.py keeps the two the same).
PAGE_MODELS = ("home.standardpage", "bulletins.newspage", "bulletins.noticepage", "bulletins.honourrollpage")
MERCHANT_MODEL = "alliance.merchant"
BATCH = 2000


def page_texts(page):
    """The texts a page is found by, or None when its type is not searched (home, section indexes)."""
    label = page._meta.label_lower
    if label not in PAGE_MODELS:
        return None
    body = _body_text(page)
    if label == "bulletins.noticepage":
        return [page.title, page.intro, page.place, body]
    if label == "bulletins.honourrollpage":
        citations = " ".join(f"{h.merchant.name} {h.get_title_display()} {h.citation}" for h in page.honours.all())
        return [page.title, page.period_label, page.intro, citations, body]
    return [page.title, page.intro, body]


def _body_text(page):
    """body_text of a copy of the page's body: reading the stream itself would turn its raw data into
    block values, which the page's later saves would then write back normalised."""
    field = page._meta.get_field("body")
    return body_text(field.to_python(field.get_prep_value(page.body)))


def merchant_texts(merchant):
    return [merchant.name, merchant.description, merchant.offers, merchant.address, merchant.get_category_display()]


def page_values(page):
    """The entry's stored fields for a page, or None when its type is not searched."""
    texts = page_texts(page)
    if texts is None:
        return None
    label = page._meta.label_lower
    values = {
        "kind": "page",
        "title_tokens": stored_tokens(page.title),
        "tokens": stored_tokens(*texts),
        "snippet": getattr(page, "intro", "") or page.search_description,
        "meta": "",
        "date": None,
        "starts_at": None,
    }
    if label == "bulletins.newspage":
        values["date"] = page.date
    elif label == "bulletins.noticepage":
        # A repeating notice's first date may be long past; its rule is what residents need.
        if page.repeat:
            values["meta"] = f"{describe_repeat(page)} · {page.place}"
        else:
            values["meta"], values["starts_at"] = page.place, page.start
    elif label == "bulletins.honourrollpage":
        values["meta"] = page.period_label
    return values


def merchant_values(merchant):
    return {
        "kind": "merchant",
        "title_tokens": stored_tokens(merchant.name),
        "tokens": stored_tokens(*merchant_texts(merchant)),
        "snippet": merchant.offers or merchant.description,
        "meta": f"{merchant.get_category_display()} · {merchant.address}",
        "date": None,
        "starts_at": None,
    }


def _store(target, obj, values, apps=global_apps):
    """Create or update the entry of obj (target "page" or "merchant") and its token rows."""
    SearchEntry = apps.get_model("home", "SearchEntry")
    SearchToken = apps.get_model("home", "SearchToken")
    entry, created = SearchEntry.objects.update_or_create(**{f"{target}_id": obj.pk}, defaults=values)
    wanted = stored_token_set(values["tokens"])
    have = set() if created else set(SearchToken.objects.filter(entry=entry).values_list("token", flat=True))
    if have - wanted:
        SearchToken.objects.filter(entry=entry, token__in=have - wanted).delete()
    SearchToken.objects.bulk_create([SearchToken(entry=entry, token=t) for t in sorted(wanted - have)])
    return entry


def update_page(page):
    """Rebuild the entry of a saved page (its specific instance); pages not searched have none."""
    values = page_values(page)
    if values is None:
        return None
    return _store("page", page, values)


def update_merchant(merchant):
    """Rebuild a merchant's entry, and the honour rolls citing it when its name changed."""
    SearchEntry = global_apps.get_model("home", "SearchEntry")
    values = merchant_values(merchant)
    before = SearchEntry.objects.filter(merchant_id=merchant.pk).values_list("title_tokens", flat=True).first()
    entry = _store("merchant", merchant, values)
    if before is not None and before != values["title_tokens"]:
        HonourRollPage = global_apps.get_model("bulletins", "HonourRollPage")
        for roll in HonourRollPage.objects.filter(honours__merchant=merchant).distinct():
            update_page(roll)
    return entry


# Saves that change none of these leave the entry as it is: a draft revision saves only
# Wagtail's bookkeeping fields (latest_revision, draft_title, has_unpublished_changes, ...).
_PAGE_BASE_CONTENT = {"title", "search_description"}


@functools.cache
def _content_fields(model):
    own = {f.name for f in model._meta.get_fields() if getattr(f, "model", None) is model and f.concrete}
    page_fields = {f.name for f in Page._meta.get_fields()}
    return _PAGE_BASE_CONTENT | (own - page_fields) | {"honours"}


def _on_page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not set(update_fields) & _content_fields(type(instance)):
        return
    if type(instance) is not instance.specific_class:
        instance = instance.specific
    update_page(instance)


def _on_merchant_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        update_merchant(instance)


def _receivers():
    for model in global_apps.get_models():
        if issubclass(model, Page):
            yield _on_page_saved, model, f"search-entry-{model._meta.label_lower}"
    yield _on_merchant_saved, global_apps.get_model(MERCHANT_MODEL), "search-entry-merchant"


def connect():
    """Keep entries current on every save of a page or merchant (home.apps)."""
    for receiver, model, uid in _receivers():
        post_save.connect(receiver, sender=model, dispatch_uid=uid)


@contextlib.contextmanager
def updates_deferred():
    """No entry update per save, for bulk loads (demo/district.py) that call rebuild() afterwards."""
    for _receiver, model, uid in _receivers():
        post_save.disconnect(sender=model, dispatch_uid=uid)
    try:
        yield
    finally:
        connect()


def rebuild(apps=global_apps, stdout=None):
    """Every entry built again from the rows, in bulk: the data migration and `manage.py rebuild_search`."""
    SearchEntry = apps.get_model("home", "SearchEntry")
    SearchToken = apps.get_model("home", "SearchToken")
    SearchToken.objects.all().delete()
    SearchEntry.objects.all().delete()
    built = 0
    sources = [("merchant", apps.get_model(MERCHANT_MODEL).objects.all(), merchant_values)]
    for label in PAGE_MODELS:
        pages = apps.get_model(label).objects.order_by("pk")
        if label == "bulletins.honourrollpage":
            pages = pages.prefetch_related("honours__merchant")
        sources.append(("page", pages, page_values))
    for target, rows, values_of in sources:
        entries, tokens = [], []
        for obj in rows.iterator(chunk_size=BATCH) if target == "merchant" else rows:
            values = values_of(obj)
            entries.append(SearchEntry(**{f"{target}_id": obj.pk}, **values))
        SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
        # bulk_create sets pks on SQLite 3.35+ and PostgreSQL; read them back to be sure.
        ids = dict(SearchEntry.objects.filter(kind=target).values_list(f"{target}_id", "pk"))
        for entry in entries:
            entry_id = ids[getattr(entry, f"{target}_id")]
            tokens.extend(SearchToken(entry_id=entry_id, token=t) for t in sorted(stored_token_set(entry.tokens)))
            if len(tokens) >= BATCH * 5:
                SearchToken.objects.bulk_create(tokens, batch_size=BATCH)
                tokens = []
        SearchToken.objects.bulk_create(tokens, batch_size=BATCH)
        built += len(entries)
    if stdout is not None:
        stdout.write(f"{built} search entries\n")
    return built
