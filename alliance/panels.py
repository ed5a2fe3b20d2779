"""Edit-form panels for the registry that Wagtail does not provide."""

from wagtail.admin.panels import Panel


class CreditCodeFlagPanel(Panel):
    """A warning above the credit code when its check character failed, so staff see it while editing."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "alliance/admin/credit_code_flag_panel.html"

        def is_shown(self):
            return bool(self.instance and self.instance.pk and self.instance.credit_code_check_failed)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["credit_code"] = self.instance.credit_code
            return context
