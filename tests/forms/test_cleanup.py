"""cleanup_intake: files of abandoned wizards go, files of stored submissions stay."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_cleanup_intake_removes_only_abandoned_wizard_files():
    storage = storages["wizard_uploads"]
    old_name = storage.save("abc/old.jpg", ContentFile(b"x"))
    new_name = storage.save("abc/new.jpg", ContentFile(b"y"))
    call_command("cleanup_intake", older_than_hours=0)
    assert not storage.exists(old_name) and not storage.exists(new_name)
    kept = storage.save("fresh.jpg", ContentFile(b"z"))
    call_command("cleanup_intake", older_than_hours=1)
    assert storage.exists(kept)
