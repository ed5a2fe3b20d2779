"""What a browser has proved it may see, remembered in its session for a few hours.

A case after its reference and the mobile's last four digits, or after its private link; a
merchant application after its private link. Only the record's id and the moment the proof runs
out are kept: never the link's secret, nor its hash. The private-link views turn the secret into
such a proof and redirect to an address without it, so the secret leaves no trace in the address
bar, the history, a Referer header or the access log of later requests.
"""

from django.conf import settings
from django.utils import timezone

MAX_PROOFS = 10  # per kind: the latest ones a browser looked at


def _key(kind):
    return f"proofs_{kind}"


def _live(request, kind):
    now = timezone.now().timestamp()
    stored = request.session.get(_key(kind))
    if not isinstance(stored, dict):
        return {}
    return {pk: until for pk, until in stored.items() if isinstance(until, (int, float)) and until > now}


def remember(request, kind, pk):
    """This browser may see record `pk` of `kind` for PRIVATE_LINK_SESSION_SECONDS from now."""
    proofs = _live(request, kind)
    proofs.pop(str(pk), None)
    proofs[str(pk)] = timezone.now().timestamp() + settings.PRIVATE_LINK_SESSION_SECONDS
    request.session[_key(kind)] = dict(list(proofs.items())[-MAX_PROOFS:])


def proven(request, kind, pk):
    """True while this browser's proof for record `pk` of `kind` lasts (expired ones are dropped)."""
    stored = request.session.get(_key(kind))
    proofs = _live(request, kind)
    if stored is not None and proofs != stored:
        request.session[_key(kind)] = proofs
    return str(pk) in proofs


def latest(request, kind):
    """The id of the record of `kind` this browser proved most recently, or None."""
    proofs = _live(request, kind)
    return int(next(reversed(proofs))) if proofs else None
