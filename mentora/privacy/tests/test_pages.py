"""Who may see and change the data-protection pages, and what they show."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import EVERYONE, MANAGERS_ONLY, PERSONAS, Personas
from mentora.core.models import AuditEntry
from mentora.privacy.models import PrivacySettings
from mentora.relationships.models import Pair
from mentora.relationships.tests.test_workspace import SECRET, meeting, pair  # noqa: F401
from mentora.rounds.tests.conftest import cohort  # noqa: F401

pytestmark = pytest.mark.django_db

ADMINS_ONLY = {**MANAGERS_ONLY, "manager": 403}


def _status(client_for: Any, personas: Personas, url: str) -> dict[str, int]:
    found = {who: client_for(getattr(personas, who)).get(url).status_code for who in PERSONAS}
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    return found


def test_staff_read_the_schedule_and_only_admins_change_it(
    personas: Personas, client_for: Any
) -> None:
    url = reverse("privacy_settings", args=["acme"])
    assert _status(client_for, personas, url) == MANAGERS_ONLY
    posted = {
        "pair_text_months": "6",
        "survey_text_months": "3",
        "leaver_years": "1",
        "audit_years": "4",
        "controller_name": "Acme Energy A/S",
        "requests_contact": "privacy@acme.example",
    }
    assert client_for(personas.manager).post(url, posted).status_code == 403
    assert not PrivacySettings.objects.exists()
    assert client_for(personas.org_admin).post(url, posted).status_code == 302
    saved = PrivacySettings.objects.get(organisation=personas.organisation)
    assert (saved.pair_text_months, saved.leaver_years) == (6, 1)
    assert AuditEntry.objects.filter(action="privacy.settings.update").count() == 1
    page = client_for(personas.manager).get(url).content.decode()
    assert "Deleted 6 months after the pair ends" in page
    refused = client_for(personas.org_admin).post(url, {**posted, "pair_text_months": "0"})
    assert refused.status_code == 200
    assert PrivacySettings.objects.get(pk=saved.pk).pair_text_months == 6


def test_every_member_reads_the_privacy_page_built_from_the_settings(
    personas: Personas, client_for: Any
) -> None:
    url = reverse("privacy_notice", args=["acme"])
    assert _status(client_for, personas, url) == {**EVERYONE, "outsider": 404}
    PrivacySettings.objects.create(
        organisation=personas.organisation, pair_text_months=18, requests_contact="dpo@acme.dk"
    )
    page = client_for(personas.mentee).get(url).content.decode()
    assert "Deleted 18 months after the pair ends." in page and "dpo@acme.dk" in page


def test_the_record_of_processing_is_for_the_organisations_admins(
    personas: Personas, client_for: Any
) -> None:
    from tests.crawl import readable_text

    PrivacySettings.objects.create(
        organisation=personas.organisation, controller_name="Acme Energy A/S", audit_years=3
    )
    for name in ("processing_record_pdf", "processing_record_markdown"):
        url = reverse(name, args=["acme"])
        assert _status(client_for, personas, url) == ADMINS_ONLY
        text = readable_text(client_for(personas.org_admin).get(url))
        assert "Acme Energy A/S" in text and "Deleted after 3 years." in text


def test_the_pair_sees_when_its_texts_go_and_downloads_them(
    cohort: Any, pair: Pair, meeting: Any, client_for: Any
) -> None:
    workspace = client_for(cohort.personas.mentee).get(reverse("pair_workspace", args=[pair.pk]))
    assert "deleted 12 months after the pair ends" in workspace.content.decode()
    url = reverse("pair_texts_export", args=[pair.pk])
    download = client_for(cohort.personas.mentee).get(url)
    assert download["Content-Type"].startswith("text/markdown")
    assert SECRET in download.content.decode()
    for who in ("manager", "org_admin", "sponsor", "line_manager"):
        assert client_for(getattr(cohort.personas, who)).get(url).status_code == 403
    assert client_for(cohort.personas.outsider).get(url).status_code == 404


def test_the_programme_page_tells_managers_what_is_deleted_when(
    cohort: Any, client_for: Any
) -> None:
    url = reverse("programme_detail", args=[cohort.programme.pk])
    page = client_for(cohort.personas.manager).get(url).content.decode()
    assert "What is deleted when" in page and "12 months after each pair ends" in page
