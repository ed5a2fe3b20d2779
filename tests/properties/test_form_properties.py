"""Property-based tests of every public form: wizard steps, track, rating, amend, questionnaire.

For any data hypothesis draws (from_form's inferred values, any text, the hostile corpus):
validation never raises; a rejection is a Chinese message on a field (or a Chinese form-wide
message); an accepted free-text value is the input as typed, after the documented normalisation
(forms_under_test.py), and never holds a NUL, which PostgreSQL could not store.
"""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import from_field, from_form

from .checks import PROPERTY_SETTINGS, jpeg, make_questionnaire
from .forms_under_test import SPEC_BY_NAME, SPECS, build, error_problems, expected_clean, text_for, texts_for
from .hostile import HOSTILE

pytestmark = pytest.mark.django_db


def with_questionnaire(request, places, spec):
    """Pages are slow to build: only the questionnaire spec gets one."""
    if spec.name != "questionnaire":
        return places
    return {**places, "questionnaire": make_questionnaire(request.getfixturevalue("home"))}


def strategy_for(spec, world):
    form_class = spec.form_class_for(world)
    kwargs = spec.kwargs(world)
    fields = form_class(**kwargs).fields
    overrides = spec.strategies(world, fields)
    for name in texts_for(spec, world):
        overrides.setdefault(name, text_for(fields[name]))
    for name, field in fields.items():
        if isinstance(field, forms.BooleanField):
            # Inferred booleans of a required box are always True; browsers send "on" or nothing.
            overrides.setdefault(name, st.one_of(st.booleans(), st.sampled_from(["on", "", "false", "0"]), st.text()))
        elif isinstance(field, forms.DecimalField) and field.max_digits is None:
            # Wagtail's number question has no max_digits, which hypothesis cannot infer from.
            overrides.setdefault(
                name, st.one_of(st.decimals(allow_nan=False).map(str), st.text(), st.sampled_from(HOSTILE))
            )
    for name in spec.files:
        # Random bytes (inferred), a real photo, or nothing.
        overrides[name] = st.one_of(st.none(), st.builds(jpeg), from_field(fields[name]))
    return from_form(form_class, form_kwargs=kwargs, **overrides)


def check(spec, world, form):
    valid = form.is_valid()  # must not raise
    if not valid:
        assert form.errors, "invalid without any error"
        assert not error_problems(form), error_problems(form)
        return False
    for name in texts_for(spec, world):
        raw = form.data.get(name, "")
        cleaned = form.cleaned_data[name]
        assert cleaned == expected_clean(spec, world, form, name, raw), (name, raw, cleaned)
        assert "\x00" not in cleaned, name
    return True


@pytest.mark.parametrize("spec_name", [spec.name for spec in SPECS])
def test_any_input_is_accepted_as_typed_or_refused_in_chinese(request, places, spec_name):
    spec = SPEC_BY_NAME[spec_name]
    world = with_questionnaire(request, places, spec)
    outcomes = []

    @PROPERTY_SETTINGS
    @given(strategy_for(spec, world))
    def prop(form):
        outcomes.append(check(spec, world, form))

    prop()
    assert len(outcomes) >= 200
    # The strategies reach both sides, so neither branch of the property is vacuous.
    assert any(outcomes) and not all(outcomes), f"{spec_name}: valid {sum(outcomes)} of {len(outcomes)}"


@pytest.mark.parametrize("spec_name", [spec.name for spec in SPECS])
def test_baseline_is_valid(request, places, spec_name):
    """The valid data the hostile tests start from; if it stops being valid they prove nothing."""
    spec = SPEC_BY_NAME[spec_name]
    world = with_questionnaire(request, places, spec)
    files = {"shop_front": jpeg()} if spec.name == "apply.photos" else None
    form = build(spec, world, spec.baseline(world), files)
    assert form.is_valid(), form.errors
