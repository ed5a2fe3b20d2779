from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    """Quarterly merchant evaluation: rounds, scoring sheets by three parties, the computed result."""

    name = "evaluation"
    verbose_name = "商户评选"
