"""What a pair writes never leaves the pair: not in reports, exports, e-mails to others,
the audit log or Django's admin."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mentora.core.models import AuditEntry
from mentora.programmes.models import Programme
from mentora.relationships.models import Meeting, Pair
from mentora.relationships.services import closure, feedback, meetings
from mentora.relationships.tests.test_workspace import pair  # noqa: F401

SECRETS = {
    "agenda": "AGENDA-7f3a: whether to apply for the Oslo job",
    "notes": "NOTES-91bc: burnout last spring",
    "follow_up": "FOLLOW-2d4e: talk to the union",
    "reflection": "REFLECT-55aa: I felt judged",
    "feedback": "FEEDBACK-c0de: you interrupt a lot",
    "closing": "CLOSING-beef: the mentor was never on time",
}


@pytest.fixture
def confidences(cohort: Any, pair: Pair) -> Pair:
    mentee, mentor = cohort.personas.mentee, cohort.personas.mentor
    meeting = meetings.meeting_schedule(
        pair=pair, actor=mentee, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    meetings.meeting_write(meeting=meeting, actor=mentee, part="agenda", text=SECRETS["agenda"])
    meetings.meeting_write(meeting=meeting, actor=mentor, part="notes", text=SECRETS["notes"])
    meetings.meeting_write(
        meeting=meeting, actor=mentor, part="follow_up", text=SECRETS["follow_up"]
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    meetings.meeting_write(
        meeting=meeting, actor=mentee, part="reflection", text=SECRETS["reflection"]
    )
    # The programme is under way, so the pair may close.
    Programme.objects.filter(pk=cohort.programme.pk).update(
        start_date=timezone.localdate() - dt.timedelta(days=60)
    )
    pair.refresh_from_db()
    feedback.feedback_give(
        pair=pair, actor=mentor, direction="mentor_to_mentee", text=SECRETS["feedback"]
    )
    closure.closure_submit(
        pair=pair,
        actor=mentee,
        reflection=SECRETS["closing"],
        continuation="clean_end",
        thanks="Thanks",
    )
    return pair


def assert_no_secret(text: str) -> None:
    for name, secret in SECRETS.items():
        assert secret not in text, name


@pytest.mark.parametrize("who", ["manager", "sponsor", "org_admin", "admin", "line_manager"])
def test_reports_and_their_exports_hold_nothing_the_pair_wrote(
    client_for: Any, cohort: Any, confidences: Pair, who: str, monkeypatch: Any
) -> None:
    # Every printed report is rendered to HTML here before WeasyPrint draws it.
    from mentora.core import pdf as exports

    client = client_for(getattr(cohort.personas, who))
    programme = cohort.programme.pk
    page = client.get(reverse("programme_report", args=[programme]))
    assert_no_secret(page.content.decode())
    rendered: list[str] = []
    original = exports.render_to_string

    def capture(template: str, context: Any = None) -> str:
        html = original(template, context)
        rendered.append(html)
        return html

    monkeypatch.setattr(exports, "render_to_string", capture)
    # Line managers follow their reports' themes, never the programme's report.
    reads_reports = who != "line_manager"
    pdf = client.get(reverse("programme_report_pdf", args=[programme]))
    assert pdf.status_code == (200 if reads_reports else 403)
    assert bool(rendered) == reads_reports, "the PDF is rendered from HTML we can read"
    assert_no_secret("".join(rendered))
    workbook = client.get(reverse("programme_report_xlsx", args=[programme]))
    assert workbook.status_code == (200 if reads_reports else 403)
    if reads_reports:
        with zipfile.ZipFile(io.BytesIO(workbook.content)) as archive:
            assert_no_secret(
                "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
            )


def test_the_people_export_and_the_audit_log_hold_nothing_the_pair_wrote(
    client_for: Any, cohort: Any, confidences: Pair
) -> None:
    response = client_for(cohort.personas.org_admin).get(
        reverse("people_export", args=["acme", "csv"])
    )
    assert_no_secret(b"".join(response.streaming_content).decode())
    assert_no_secret(str(list(AuditEntry.objects.values_list("changes", flat=True))))
    log = client_for(cohort.personas.admin).get(reverse("audit_log"))
    assert_no_secret(log.content.decode())


def test_e_mails_to_others_hold_nothing_the_pair_wrote(
    cohort: Any, confidences: Pair, smtp_sink: Any
) -> None:
    from mentora.relationships.tasks import (
        send_agenda_reminder,
        send_meeting_invitation,
        send_nudge,
    )

    meeting = confidences.meetings.get()
    send_meeting_invitation.call(meeting.pk)
    send_nudge.call(confidences.pk)
    Meeting.objects.filter(pk=meeting.pk).update(agenda="")
    send_agenda_reminder.call(meeting.pk)
    messages = smtp_sink.wait_for(5)
    assert len(messages) == 5
    assert_no_secret("".join(m.as_string() for m in messages))


def test_django_admin_lists_no_pair_texts_to_a_platform_admin(
    client_for: Any, cohort: Any, confidences: Pair
) -> None:
    client = client_for(cohort.personas.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/relationships/meeting/" not in index
    assert client.get("/admin/relationships/meeting/").status_code == 404
    assert client.get("/admin/relationships/feedback/").status_code == 404
    assert client.get("/admin/relationships/closure/").status_code == 404


def test_a_member_of_another_pair_cannot_read_this_pairs_space(
    client_for: Any, cohort: Any, confidences: Pair
) -> None:
    from mentora.accounts.models import Membership, Role, User

    # Eva, in the other pair of the same programme, logs in too.
    eva = User.objects.create_user(email="eva@test.example", password="pw")
    Membership.objects.create(user=eva, organisation=cohort.personas.organisation, role=Role.MENTEE)
    cohort.eva.user = eva
    cohort.eva.save()
    client = client_for(eva)
    meeting = confidences.meetings.get()
    for url in (
        reverse("pair_workspace", args=[confidences.pk]),
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("pair_close", args=[confidences.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert_no_secret(response.content.decode())
    own = Pair.objects.get(mentee=cohort.eva)
    assert client.get(reverse("pair_workspace", args=[own.pk])).status_code == 200
