"""gunicorn settings read from the project folder (`gunicorn portal.wsgi`): only what the portal needs.

Private links and password-reset links carry secrets in their paths: the access and error logs
redact them (portal/redaction.py). Workers, binding and log files stay the deployment's choice.
"""

import gc

logger_class = "portal.redaction.RedactingGunicornLogger"


def post_worker_init(worker):
    """Freeze what the worker loaded at start-up (Django, Wagtail, the URLconf: about 200,000 objects).

    They live as long as the process, yet every full garbage collection walked them again: about
    15% of a grievance wizard's CPU. Frozen objects are left out of collections (gc.freeze).
    """
    from django.urls import get_resolver  # noqa: PLC0415 - Django is set up only once the worker loaded the app

    get_resolver().url_patterns  # noqa: B018 - load the URLconf (and every view module) before freezing
    gc.freeze()
