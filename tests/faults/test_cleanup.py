"""cleanup_intake's sweep of private files no record refers to (what a crash mid-commit leaves)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from casework.models import CasePhoto
from tests import factories

pytestmark = pytest.mark.django_db


def empty(storage, path=""):
    dirs, files = storage.listdir(path)
    for name in files:
        storage.delete(f"{path}/{name}" if path else name)
    for name in dirs:
        empty(storage, f"{path}/{name}" if path else name)


def test_orphan_photos_go_after_the_grace_period_and_referenced_ones_stay(capsys):
    private = storages["private"]
    # The test storage lives as long as the process: earlier tests' files (their rows rolled
    # back) would be counted as orphans too.
    empty(private)
    report = factories.case(factories.grid(factories.community()))
    kept = CasePhoto.objects.create(report=report, file=ContentFile(b"kept", name="kept.jpg"))
    orphan = private.save("reports/2026/11/crashed.jpg", ContentFile(b"orphan"))

    # Within the grace period the file may still belong to a submission about to commit.
    call_command("cleanup_intake")
    assert private.exists(orphan) and private.exists(kept.file.name)
    assert "0 个无记录的照片文件" in capsys.readouterr().out

    call_command("cleanup_intake", orphan_grace_minutes=0)
    assert not private.exists(orphan)
    assert private.exists(kept.file.name)
    assert "1 个无记录的照片文件" in capsys.readouterr().out
