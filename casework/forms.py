"""The forms staff fill on a case page: one per action, each adding what its transition needs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Grid
from portal.people import display_name
from portal.uploads import sanitise_image

from .models import GrievanceReport
from .transitions import MACHINE

MAX_RESULT_PHOTOS = 3


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to MAX_RESULT_PHOTOS photos, each re-encoded by the upload sanitiser."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, (list, tuple)) else [data]) if u]
        if len(uploads) > MAX_RESULT_PHOTOS:
            raise ValidationError(_("最多上传 %(n)s 张照片。") % {"n": MAX_RESULT_PHOTOS})
        return [sanitise_image(upload) for upload in uploads]


class ActionForm(forms.Form):
    """The note and its visibility; subclasses add what an action needs."""

    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.BooleanField(
        label=gettext_lazy("对反映人公开"), required=False, help_text=gettext_lazy("公开的说明反映人查询工单时可以看到")
    )

    def __init__(self, *args, report, user, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.report, self.user, self.transition = report, user, transition
        self.fields["public"].initial = transition.public_by_default
        self.fields["note"].required = transition.note_required
        self.fields["note"].error_messages["required"] = transition.missing_note_message()

    def perform_data(self):
        return {}


class DuplicateForm(ActionForm):
    reference = forms.CharField(label=gettext_lazy("重复于（工单编号）"), max_length=20)
    field_order = ["reference"]  # what the action needs first, then the note

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        # Only a case this user can see: the field is no oracle for other communities' references.
        original = (
            GrievanceReport.objects.visible_to(self.user).filter(reference=reference).exclude(pk=self.report.pk).first()
        )
        if original is None:
            raise ValidationError(_("找不到这个工单编号，请核对。"))
        return original

    def perform_data(self):
        return {"duplicate_of": self.cleaned_data["reference"]}


class DispatchForm(ActionForm):
    assignee = forms.ModelChoiceField(label=gettext_lazy("网格员"), queryset=None)
    field_order = ["assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = self.report.grid.workers.order_by("last_name", "first_name", "username")
        self.fields["assignee"].label_from_instance = display_name

    def perform_data(self):
        return {"assignee": self.cleaned_data["assignee"]}


class TransferForm(ActionForm):
    grid = forms.ModelChoiceField(label=gettext_lazy("转办到网格"), queryset=None)
    field_order = ["grid"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grids = Grid.objects.select_related("community").exclude(pk=self.report.grid_id)
        if not self.user.is_superuser:
            grids = grids.filter(community__moderators=self.user)
        self.fields["grid"].queryset = grids

    def perform_data(self):
        return {"grid": self.cleaned_data["grid"]}


class ResolveForm(ActionForm):
    photos = MultipleImageField(
        label=gettext_lazy("办结照片"), required=False, help_text=gettext_lazy("可选，最多 3 张")
    )
    field_order = ["note", "photos"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("办理结果")


ACTION_FORMS = {
    "mark_duplicate": DuplicateForm,
    "dispatch": DispatchForm,
    "transfer": TransferForm,
    "resolve": ResolveForm,
}


def action_form(action, report, user, data=None, files=None):
    transition = MACHINE[action]
    form_class = ACTION_FORMS.get(action, ActionForm)
    return form_class(data, files, report=report, user=user, transition=transition, prefix=action)
