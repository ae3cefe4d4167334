"""The retention schedule, applied on a clock moved forward: exactly what is due goes,
nothing else, and a second run removes nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from mentora.core.audit import audit_log
from mentora.core.models import AuditEntry
from mentora.people.models import ImportRun, ImportStatus
from mentora.privacy import services
from mentora.privacy.models import Consent, PrivacySettings, RetentionRun
from mentora.programmes.models import Programme
from mentora.relationships.models import Feedback, Meeting, Pair, Recording
from mentora.relationships.services import feedback as feedback_services
from mentora.relationships.tests.test_workspace import SECRET, meeting, pair  # noqa: F401
from mentora.rounds.tests.conftest import cohort  # noqa: F401

pytestmark = pytest.mark.django_db


def _end(pair: Pair, when: dt.datetime) -> None:
    Pair.objects.filter(pk=pair.pk).update(ended_at=when)


def test_months_are_calendar_months() -> None:
    moment = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert services.months_before(moment, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert services.months_before(moment, 12).date() == dt.date(2025, 3, 31)
    assert services.months_after(dt.date(2026, 1, 31), 13) == dt.date(2027, 2, 28)


def test_a_pairs_texts_go_twelve_months_after_it_ends_and_not_a_day_before(
    cohort: Any, pair: Pair, meeting: Meeting
) -> None:
    feedback_services.feedback_give(
        pair=pair, actor=cohort.personas.mentor, direction="mentor_to_mentee", text=SECRET
    )
    ended = timezone.now()
    _end(pair, ended)
    organisation = cohort.personas.organisation
    with time_machine.travel(ended + dt.timedelta(days=360), tick=False):
        run = services.retention_apply(organisation=organisation)
    assert run.counts["pair_texts"] == 0
    assert Meeting.objects.get(pk=meeting.pk).agenda == SECRET
    with time_machine.travel(ended + dt.timedelta(days=367), tick=False):
        run = services.retention_apply(organisation=organisation)
        again = services.retention_apply(organisation=organisation)
    assert run.counts["pair_texts"] == 1
    assert again.counts["pair_texts"] == 0
    kept = Meeting.objects.get(pk=meeting.pk)
    assert (kept.agenda, kept.notes, kept.starts_at) == ("", "", meeting.starts_at)
    assert not Feedback.objects.filter(pair=pair).exists()
    assert Pair.objects.filter(pk=pair.pk).exists()
    # The run's report and its audit entry hold counts, never the text.
    entry = AuditEntry.objects.get(action="privacy.retention.run", object_id=str(run.pk))
    assert SECRET not in str(entry.changes) and entry.changes["counts"]["pair_texts"] == 1


def test_a_running_pair_and_a_shorter_schedule(cohort: Any, pair: Pair, meeting: Meeting) -> None:
    organisation = cohort.personas.organisation
    services.privacy_settings_update(
        organisation=organisation, actor=cohort.personas.org_admin, pair_text_months=1
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=800), tick=False):
        run = services.retention_apply(organisation=organisation)
    # The pair has not ended: nothing of it goes, however long it runs.
    assert run.counts["pair_texts"] == 0
    _end(pair, timezone.now())
    with time_machine.travel(timezone.now() + dt.timedelta(days=32), tick=False):
        assert services.retention_apply(organisation=organisation).counts["pair_texts"] == 1
    assert Meeting.objects.get(pk=meeting.pk).agenda == ""


def test_recordings_and_their_consents_go_once_the_programme_has_ended(
    cohort: Any, pair: Pair, meeting: Meeting, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    recording = Recording.objects.create(
        meeting=meeting,
        delete_on=timezone.localdate() + dt.timedelta(days=400),
        mentee_consent_at=timezone.now(),
        mentor_consent_at=timezone.now(),
    )
    recording.file.save("talk.mp3", ContentFile(b"audio"))
    path = recording.file.path
    assert Consent.objects.filter(recording=recording).count() == 2
    end = timezone.localdate() + dt.timedelta(days=30)
    Programme.objects.filter(pk=cohort.programme.pk).update(end_date=end)
    organisation = cohort.personas.organisation
    with time_machine.travel(end, tick=False):
        assert services.retention_apply(organisation=organisation).counts["recordings"] == 0
    assert tmp_path.joinpath(path).exists()
    with time_machine.travel(end + dt.timedelta(days=1), tick=False):
        with TestCase.captureOnCommitCallbacks(execute=True):
            run = services.retention_apply(organisation=organisation)
        again = services.retention_apply(organisation=organisation)
    assert (run.counts["recordings"], again.counts["recordings"]) == (1, 0)
    recording.refresh_from_db()
    assert recording.deleted_at is not None and not recording.file
    assert not tmp_path.joinpath(path).exists()
    assert not Consent.objects.filter(purpose="recording", programme=cohort.programme).exists()


def test_finished_import_files_go_and_running_ones_stay(
    cohort: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    organisation = cohort.personas.organisation
    done = ImportRun.objects.create(
        organisation=organisation, file_name="a.csv", status=ImportStatus.DONE
    )
    done.file.save("a.csv", ContentFile(b"x"))
    waiting = ImportRun.objects.create(
        organisation=organisation, file_name="b.csv", status=ImportStatus.PREVIEWED
    )
    waiting.file.save("b.csv", ContentFile(b"y"))
    other = ImportRun.objects.create(
        organisation=cohort.personas.other_organisation, file_name="c.csv", status=ImportStatus.DONE
    )
    other.file.save("c.csv", ContentFile(b"z"))
    run = services.retention_apply(organisation=organisation)
    assert run.counts["import_files"] == 1
    done.refresh_from_db(), waiting.refresh_from_db(), other.refresh_from_db()
    assert (bool(done.file), bool(waiting.file), bool(other.file)) == (False, True, True)


def test_free_text_survey_answers_go_months_after_the_survey_closes(cohort: Any) -> None:
    from mentora.surveys.models import Answer, Instrument, Question, QuestionKind, Response, Survey

    instrument = Instrument.objects.create(
        name="Ours", source="programme", programme=cohort.programme, licence_name="Own"
    )
    text_q = Question.objects.create(
        instrument=instrument, code="T1", text_en="Anything else?", kind=QuestionKind.TEXT
    )
    scale_q = Question.objects.create(
        instrument=instrument, code="S1", text_en="Useful?", kind=QuestionKind.SCALE
    )
    closes = timezone.now() - dt.timedelta(days=1)
    survey = Survey.objects.create(
        programme=cohort.programme,
        instrument=instrument,
        wave="end",
        roles=["mentee"],
        opens_at=closes - dt.timedelta(days=14),
        closes_at=closes,
    )
    response = Response.objects.create(survey=survey, key="k", role="mentee")
    text = Answer.objects.create(response=response, question=text_q, text=SECRET)
    scale = Answer.objects.create(response=response, question=scale_q, number=4)
    organisation = cohort.personas.organisation
    assert services.retention_apply(organisation=organisation).counts["survey_texts"] == 0
    with time_machine.travel(closes + dt.timedelta(days=186), tick=False):
        run = services.retention_apply(organisation=organisation)
        again = services.retention_apply(organisation=organisation)
    assert (run.counts["survey_texts"], again.counts["survey_texts"]) == (1, 0)
    assert Answer.objects.get(pk=text.pk).text == ""
    assert Answer.objects.get(pk=scale.pk).number == 4


def test_audit_entries_go_after_five_years_and_only_the_organisations_own(cohort: Any) -> None:
    organisation = cohort.personas.organisation
    old = timezone.now() - dt.timedelta(days=5 * 366)
    with time_machine.travel(old, tick=False):
        mine = audit_log(actor=None, action="test.old", organisation=organisation)
        theirs = audit_log(
            actor=None, action="test.old", organisation=cohort.personas.other_organisation
        )
    recent = audit_log(actor=None, action="test.recent", organisation=organisation)
    run = services.retention_apply(organisation=organisation)
    assert run.counts["audit"] >= 1
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert mine.pk not in remaining and {theirs.pk, recent.pk} <= remaining


def test_leavers_are_erased_two_years_after_their_leave_date_and_others_stay(
    cohort: Any,
) -> None:
    from mentora.people.models import Person
    from mentora.subject_requests.models import SubjectRequest

    leaver = cohort.eva.person
    Person.objects.filter(pk=leaver.pk).update(leave_date=timezone.localdate())
    organisation = cohort.personas.organisation
    with time_machine.travel(timezone.now() + dt.timedelta(days=700), tick=False):
        assert services.retention_apply(organisation=organisation).counts["leavers"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=2 * 366), tick=False):
        run = services.retention_apply(organisation=organisation)
        again = services.retention_apply(organisation=organisation)
    assert (run.counts["leavers"], again.counts["leavers"]) == (1, 0)
    erased = Person.objects.get(pk=leaver.pk)
    assert "Eva" not in erased.first_name and "Extra" not in erased.last_name
    assert SubjectRequest.objects.filter(person=leaver, kind="erasure").count() == 1
    # Nobody who has not left is touched.
    assert Person.objects.get(pk=cohort.junior.person_id).first_name == "Jo"


def test_the_daily_command_runs_every_organisation(cohort: Any) -> None:
    call_command("apply_retention")
    assert set(RetentionRun.objects.values_list("organisation__slug", flat=True)) == {
        "acme",
        "other",
    }
    # An organisation that never saved settings runs on the defaults, unsaved.
    assert not PrivacySettings.objects.exists()
