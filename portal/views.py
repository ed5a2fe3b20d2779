"""Cross-cutting views: a friendly 503 while the database is unreachable, and the health check."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.defaults import server_error

from .sharedcache import cache_status

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60


def is_database_outage(error):
    """True for a lost or refused database connection, not for a bug in a query.

    IntegrityError, ProgrammingError and the like are DatabaseErrors too, but they mean our
    code is wrong, which the ordinary 500 (and its log entry) is for. The cause chain is
    followed because some layers re-raise a connection error as another exception.
    """
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, (OperationalError, InterfaceError)) or type(error) is DatabaseError:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


@requires_csrf_token
def server_error_or_unavailable(request, template_name="500.html"):
    """handler500: 503 with Retry-After during a database outage, otherwise Django's 500.

    Renders without the request, so no context processor runs: they may read site settings,
    the session or the user, and each of those needs the database that is down.
    """
    if is_database_outage(sys.exc_info()[1]):
        body = loader.get_template("503.html").render({"retry_after_minutes": RETRY_AFTER_SECONDS // 60})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        # A proxy or browser must not keep the outage page in place of the real one.
        response["Cache-Control"] = "no-store"
        return response
    return server_error(request, template_name=template_name)


def database_status():
    """ "ok" when the default database answers SELECT 1 now, "unavailable" otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check: database unavailable (%s)", type(error).__name__)
        return "unavailable"
    return "ok"


@require_GET
def healthz(request):
    """For a load balancer: 200 while this node can serve, 503 when it cannot.

    Checks, each time, without a template or a session:
      database  SELECT 1 on the default database. Nothing works without it: "unavailable" → 503.
      cache     one read from the shared cache's counters (Redis in production). "unavailable" is
                reported but stays 200: pages render uncached, and logins and submissions are
                refused with a "busy" message until it returns. Every node shares the one Redis,
                so taking nodes out for it would only turn a degraded site into no site.
    The body is plain text: "ok" or "unavailable", then one "name: status" line per check.
    """
    checks = {"database": database_status(), "cache": cache_status()}
    healthy = checks["database"] == "ok"
    lines = ["ok" if healthy else "unavailable", *(f"{name}: {status}" for name, status in checks.items())]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response.status_code = 200 if healthy else 503
    response["Cache-Control"] = "no-store"
    return response
