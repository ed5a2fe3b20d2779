"""Admin views of questionnaire answers (kept out of models.py: Wagtail's admin views need the app registry)."""

from wagtail.contrib.forms.views import SubmissionsListView

from portal.spreadsheets import spreadsheet_text


class QuestionnaireSubmissionsView(SubmissionsListView):
    """Wagtail's submissions listing, whose CSV export neutralises answers typed as formulas."""

    custom_value_preprocess = {
        **SubmissionsListView.custom_value_preprocess,
        str: {SubmissionsListView.FORMAT_CSV: spreadsheet_text},
    }
