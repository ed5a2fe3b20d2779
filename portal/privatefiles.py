"""Residents' and merchants' private files (case and application photos): stored outside the
public media, served only by permission-checked views through one response.

The response never lets a browser guess a type or run anything: the content type comes from
our own re-encoded file's extension (portal/uploads.py writes only these three), the file is
shown inline in a sandbox with no sources allowed, and nothing is cached on the way.
"""

from django.core.files.storage import storages
from django.http import FileResponse, Http404

CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def private_storage():
    """The storage of private uploads (settings.STORAGES['private']); a callable, so tests can swap it."""
    return storages["private"]


def private_file_response(field_file):
    """The file of a FileField as an inline image response; 404 for anything not one of our images."""
    extension = field_file.name.rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
