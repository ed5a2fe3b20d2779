"""The fixed hostile corpus in every free-text field of every public form, one field at a time,
the other fields valid: accepted as typed (after the documented normalisation) or refused with a
Chinese message on that field only.

One test per form runs the whole corpus over all its free-text fields and lists every failing
(field, string) pair; building the world once per form keeps 100+ strings x fields affordable.
"""

import pytest
from django import forms

from .checks import jpeg
from .forms_under_test import SPEC_BY_NAME, SPECS, build, error_problems, expected_clean, texts_for
from .hostile import HOSTILE, label
from .test_form_properties import with_questionnaire

pytestmark = pytest.mark.django_db

TEXT_SPECS = [spec.name for spec in SPECS if spec.texts is None or spec.texts]


def failures_for(spec, world, name, value):
    data = {**spec.baseline(world), name: value}
    files = {"shop_front": jpeg()} if spec.name == "apply.photos" else None
    form = build(spec, world, data, files)
    try:
        valid = form.is_valid()
    except Exception as error:  # a crash is the finding; report it with the string, not a traceback
        return [f"{type(error).__name__}: {error}"]
    if not valid:
        problems = error_problems(form)
        if set(form.errors) != {name}:
            problems.append(f"errors on {sorted(form.errors)}, expected only on {name}")
        return problems
    expected = expected_clean(spec, world, form, name, value)
    cleaned = form.cleaned_data[name]
    problems = [] if cleaned == expected else [f"cleaned {cleaned[:40]!r} != {expected[:40]!r}"]
    if "\x00" in cleaned:
        problems.append("accepted a NUL character")
    return problems


@pytest.mark.parametrize("spec_name", TEXT_SPECS)
def test_hostile_corpus_in_every_free_text_field(request, places, spec_name):
    spec = SPEC_BY_NAME[spec_name]
    world = with_questionnaire(request, places, spec)
    fields = texts_for(spec, world)
    assert fields
    failures, checked = [], 0
    for name in fields:
        for value in HOSTILE:
            problems = failures_for(spec, world, name, value)
            checked += 1
            failures.extend(f"{name} [{label(value)}]: {problem}" for problem in problems)
    assert checked >= 100 * len(fields)
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("spec_name", TEXT_SPECS)
def test_free_text_fields_keep_markup_emoji_and_invisible_characters(request, places, spec_name):
    """Not stripped, not escaped at input: what was typed is what is stored (escaping is the template's job)."""
    spec = SPEC_BY_NAME[spec_name]
    world = with_questionnaire(request, places, spec)
    samples = ["<b>老王</b>面馆", "老\u200b王🍜面馆好吃", "\u202e王秀兰反映问题", "{{ 7*7 }}{% debug %}"]
    checked = 0
    for name, normalise in texts_for(spec, world).items():
        field = build(spec, world, {}).fields[name]
        # Emails must look like emails; the signature must match the contact person.
        if normalise.__name__ != "strip" or isinstance(field, forms.EmailField) or name == "signed_name":
            continue
        for value in samples:
            form = build(spec, world, {**spec.baseline(world), name: value})
            assert form.is_valid(), (name, value, form.errors)
            assert form.cleaned_data[name] == value
            checked += 1
    # The signature and the track form have no plain free-text field to check here.
    assert checked or spec.name in ("apply.convention", "track")
