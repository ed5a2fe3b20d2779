"""gunicorn settings read from the project folder (`gunicorn portal.wsgi`): only what the portal needs.

Private links and password-reset links carry secrets in their paths: the access and error logs
redact them (portal/redaction.py). Workers, binding and log files stay the deployment's choice.
"""

logger_class = "portal.redaction.RedactingGunicornLogger"
