from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from mentora.core.models import AuditEntry
from mentora.surveys import services
from mentora.surveys.builtin_instruments import LIBRARY, load_builtin_instruments
from mentora.surveys.models import Instrument, Invitation, Question, Response, pseudonymous_key
from mentora.surveys.tests.conftest import builtin, window


def schedule(world: Any, wave: str = "start", roles: Any = None, **extra: Any) -> Any:
    opens, closes = window()
    values = {"opens_at": opens, "closes_at": closes, **extra}
    return services.survey_schedule(
        programme=world.programme,
        instrument=builtin(wave),
        wave=wave,
        roles=roles or ["mentee", "mentor", "line_manager"],
        actor=world.personas.manager,
        **values,
    )


def answers_for(invitation: Invitation, number: int = 4) -> dict[int, Any]:
    result: dict[int, Any] = {}
    for q in invitation.survey.instrument.questions_for(invitation.role):
        if q.kind == "scale_1_5":
            result[q.pk] = str(number)
        elif q.kind == "nps":
            result[q.pk] = "9"
        elif q.kind == "single":
            result[q.pk] = q.choices[0]["value"]
        elif q.kind == "multiple":
            result[q.pk] = [q.choices[0]["value"], q.choices[1]["value"]]
        else:
            result[q.pk] = "Secret thoughts"
    return result


def test_the_library_ships_every_question_in_english_and_danish(db: None) -> None:
    for spec in LIBRARY:
        instrument = builtin(spec["wave"])
        assert instrument.licence_holder == "Mentora"
        assert instrument.licence_name == "CC BY 4.0"
        assert instrument.may_redistribute
        for question in instrument.questions.all():
            assert question.text_en and question.text_da
            assert question.text_en != question.text_da


def test_loading_the_library_again_changes_nothing(db: None) -> None:
    before = Question.objects.count()
    load_builtin_instruments()
    assert Question.objects.count() == before
    assert Instrument.objects.filter(source="builtin").count() == len(LIBRARY)


def test_scheduling_invites_participants_and_the_mentees_line_manager(world: Any) -> None:
    survey = schedule(world)
    invited = {(i.user.email, i.role) for i in survey.invitations.select_related("user")}
    assert invited == {
        ("mentee@test.example", "mentee"),
        ("mentor@test.example", "mentor"),
        ("linemanager@test.example", "line_manager"),
    }
    assert AuditEntry.objects.filter(action="surveys.survey.schedule").count() == 1


def test_scheduling_rejects_another_organisations_instrument(world: Any) -> None:
    other = services.instrument_import(
        organisation=world.personas.other_organisation,
        data={
            "name": "Licensed",
            "licence": {"name": "Commercial", "holder": "Vendor"},
            "questions": [
                {"code": "A", "kind": "scale_1_5", "text_en": "A?", "audience": ["mentee"]}
            ],
        },
        actor=None,
    )
    opens, closes = window()
    with pytest.raises(ValidationError):
        services.survey_schedule(
            programme=world.programme,
            instrument=other,
            wave="start",
            roles=["mentee"],
            opens_at=opens,
            closes_at=closes,
            actor=world.personas.manager,
        )


def test_it_rejects_a_survey_that_closes_before_it_opens(world: Any) -> None:
    opens, _ = window()
    with pytest.raises(ValidationError):
        schedule(world, closes_at=opens - dt.timedelta(days=1))


def test_a_new_survey_reminds_at_the_programmes_own_interval(world: Any) -> None:
    from mentora.relationships.services.support import support_settings_update

    assert schedule(world).reminder_days == 7
    support_settings_update(
        programme=world.programme, actor=world.personas.manager, survey_reminder_days=3
    )
    assert schedule(world, wave="end").reminder_days == 3
    # The manager may still set another interval for one survey.
    assert schedule(world, wave="midway", reminder_days=10).reminder_days == 10


def test_sending_mails_each_invitee_in_their_language_once(world: Any) -> None:
    world.personas.mentee.language = "da"
    world.personas.mentee.save()
    survey = schedule(world)
    assert services.survey_send(survey=survey) == 3
    assert services.survey_send(survey=survey) == 0
    # The subject is rendered under the recipient's language (Danish from the catalogue).
    assert sorted(m.to[0] for m in mail.outbox) == [
        "linemanager@test.example",
        "mentee@test.example",
        "mentor@test.example",
    ]
    english = next(m for m in mail.outbox if m.to == ["mentor@test.example"])
    assert "Tell us how" in english.subject
    token = Invitation.objects.get(survey=survey, role="mentor").token
    assert f"/surveys/answer/{token}/" in english.body


def test_reminders_go_to_those_who_have_not_answered_after_the_interval(world: Any) -> None:
    survey = schedule(world, reminder_days=3)
    services.survey_send(survey=survey)
    mentee = Invitation.objects.get(survey=survey, role="mentee")
    services.response_submit(invitation=mentee, answers=answers_for(mentee), actor=None)
    mail.outbox.clear()
    assert services.survey_remind() == 0
    later = timezone.now() + dt.timedelta(days=4)
    assert services.survey_remind(now=later) == 2
    assert {m.to[0] for m in mail.outbox} == {"mentor@test.example", "linemanager@test.example"}
    assert "Reminder" in mail.outbox[0].subject
    # Not again until another interval has passed.
    assert services.survey_remind(now=later + dt.timedelta(days=1)) == 0
    assert services.survey_remind(now=later + dt.timedelta(days=3)) == 2


def test_someone_who_joins_while_a_survey_is_open_is_asked_by_the_daily_run(
    world: Any,
) -> None:
    from mentora.surveys.tests.conftest import add_participants

    survey = schedule(world)
    services.survey_send(survey=survey)
    mail.outbox.clear()
    [late] = add_participants(world, "mentee", 1)
    assert services.survey_remind() == 1
    assert [m.to[0] for m in mail.outbox] == [late.user.email]
    assert Invitation.objects.filter(survey=survey, person=late.person, role="mentee").exists()
    assert services.survey_remind() == 0


def test_a_survey_scheduled_for_later_is_sent_by_the_daily_run(world: Any) -> None:
    now = timezone.now()
    survey = schedule(world, opens_at=now + dt.timedelta(days=2), closes_at=now + dt.timedelta(9))
    assert services.survey_remind() == 0
    assert services.survey_remind(now=now + dt.timedelta(days=2, hours=1)) == 3
    survey.refresh_from_db()
    assert survey.sent_at is not None


def test_the_reminder_command_sends_now(world: Any) -> None:
    schedule(world, opens_at=timezone.now() - dt.timedelta(minutes=1))
    mail.outbox.clear()
    Invitation.objects.update(sent_at=None)
    from mentora.surveys.models import Survey

    Survey.objects.update(sent_at=None)
    call_command("send_survey_reminders", "--now")
    assert len(mail.outbox) == 3


def test_answers_are_stored_under_a_pseudonymous_key_without_identity(world: Any) -> None:
    survey = schedule(world)
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    response = services.response_submit(
        invitation=invitation, answers=answers_for(invitation), actor=world.personas.mentee
    )
    related = {
        f.related_model._meta.label for f in Response._meta.concrete_fields if f.related_model
    }
    assert related == {"surveys.Survey"}
    assert response.key == pseudonymous_key(world.programme.pk, world.personas.people["junior"].pk)
    # Not a plain hash of the identifiers: without the secret it cannot be recomputed.
    plain = f"{world.programme.pk}:{world.personas.people['junior'].pk}".encode()
    assert response.key != hashlib.sha256(plain).hexdigest()
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_the_same_persons_start_and_end_answers_link_and_nobody_elses(world: Any) -> None:
    start = schedule(world, "start", ["mentee", "mentor"])
    end = schedule(world, "end", ["mentee", "mentor"])
    for survey in (start, end):
        for invitation in survey.invitations.all():
            services.response_submit(
                invitation=invitation, answers=answers_for(invitation), actor=None
            )
    by_key: dict[str, set[int]] = {}
    for response in Response.objects.all():
        by_key.setdefault(response.key, set()).add(response.survey_id)
    assert list(by_key.values()) == [{start.pk, end.pk}, {start.pk, end.pk}]
    # Another programme gives the same person another key.
    assert pseudonymous_key(world.programme.pk, 1) != pseudonymous_key(world.programme.pk + 1, 1)


def test_one_response_per_invitation(world: Any) -> None:
    survey = schedule(world)
    invitation = Invitation.objects.get(survey=survey, role="mentor")
    services.response_submit(invitation=invitation, answers=answers_for(invitation), actor=None)
    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, answers=answers_for(invitation), actor=None)
    fresh = Invitation.objects.get(pk=invitation.pk)
    with pytest.raises(ValidationError):
        services.response_submit(invitation=fresh, answers=answers_for(fresh), actor=None)
    assert Response.objects.count() == 1


@pytest.mark.parametrize("bad", ["6", "0", "3.5", "x", ["1"]])
def test_it_rejects_an_answer_off_the_scale_and_writes_nothing(world: Any, bad: Any) -> None:
    survey = schedule(world)
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    answers = answers_for(invitation)
    scale = next(q for q in Question.objects.filter(pk__in=answers) if q.kind == "scale_1_5")
    answers[scale.pk] = bad
    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, answers=answers, actor=None)
    assert Response.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_it_rejects_a_choice_that_is_not_offered_and_foreign_questions(world: Any) -> None:
    survey = schedule(world, "end")
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    answers = answers_for(invitation)
    single = Question.objects.get(instrument=survey.instrument, code="ST1")
    answers[single.pk] = "perhaps"
    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, answers=answers, actor=None)
    foreign = Question.objects.get(instrument=survey.instrument, code="LM3")
    with pytest.raises(ValidationError):
        services.response_submit(
            invitation=invitation, answers={**answers_for(invitation), foreign.pk: "3"}, actor=None
        )


def test_a_closed_survey_takes_no_answers(world: Any) -> None:
    now = timezone.now()
    survey = schedule(
        world, opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=1)
    )
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitation, answers={}, actor=None)


def test_the_audit_log_never_holds_answer_content(world: Any) -> None:
    survey = schedule(world)
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    services.response_submit(
        invitation=invitation, answers=answers_for(invitation), actor=world.personas.mentee
    )
    entry = AuditEntry.objects.get(action="surveys.response.submit")
    assert "Secret thoughts" not in json.dumps(entry.changes)
    assert entry.changes == {"answered": len(answers_for(invitation))}


def test_the_owner_finds_their_own_answers_again(world: Any) -> None:
    survey = schedule(world)
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    services.response_submit(invitation=invitation, answers=answers_for(invitation), actor=None)
    response = services.response_of(invitation)
    assert response is not None
    assert "Secret thoughts" in {a.text for a in response.answers.all()}
    other = Invitation.objects.get(survey=survey, role="mentor")
    assert services.response_of(other) is None


def test_managers_add_their_own_questions_in_both_languages(world: Any) -> None:
    question = services.custom_question_add(
        programme=world.programme,
        kind="single",
        text_en="Which site?",
        text_da="Hvilket sted?",
        audience=["mentee"],
        choices=[{"value": "a", "en": "A", "da": "A"}, {"value": "b", "en": "B", "da": "B"}],
        actor=world.personas.manager,
    )
    assert question.instrument.programme == world.programme
    assert question.text("da") == "Hvilket sted?"
    assert (
        question
        in services.instruments_for(world.programme).get(pk=question.instrument_id).questions.all()
    )
    with pytest.raises(ValidationError):
        services.custom_question_add(
            programme=world.programme,
            kind="single",
            text_en="Only one?",
            text_da="",
            audience=["mentee"],
            choices=[{"value": "a"}],
            actor=world.personas.manager,
        )


def test_a_licensed_instrument_is_visible_only_to_its_organisation(
    world: Any, tmp_path: Any
) -> None:
    path = tmp_path / "licensed.json"
    path.write_text(
        json.dumps(
            {
                "slug": "vendor-scale",
                "name": "Vendor scale",
                "licence": {"name": "Licensed to Acme", "holder": "Vendor Ltd", "url": ""},
                "questions": [
                    {
                        "code": "V1",
                        "kind": "scale_1_5",
                        "text_en": "Item",
                        "text_da": "Udsagn",
                        "audience": ["mentee"],
                    }
                ],
            }
        )
    )
    call_command("load_instrument", str(path), "--organisation", "acme")
    instrument = Instrument.objects.get(slug="vendor-scale")
    assert instrument.organisation == world.personas.organisation
    assert not instrument.may_redistribute
    assert (
        Instrument.objects.available_to(world.personas.organisation)
        .filter(pk=instrument.pk)
        .exists()
    )
    assert (
        not Instrument.objects.available_to(world.personas.other_organisation)
        .filter(pk=instrument.pk)
        .exists()
    )
    # Loading it again replaces it rather than duplicating it.
    call_command("load_instrument", str(path), "--organisation", "acme")
    assert Instrument.objects.filter(slug="vendor-scale").count() == 1


def test_the_load_command_says_why_it_loads_nothing(world: Any, tmp_path: Any) -> None:
    path = tmp_path / "instrument.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="No such organisation."):
        call_command("load_instrument", str(path), "--organisation", "nowhere")
    with pytest.raises(CommandError, match="Expecting property name"):
        call_command("load_instrument", str(path), "--organisation", "acme")
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_instrument", str(tmp_path / "missing.json"), "--organisation", "acme")
    path.write_text(json.dumps({"name": "X", "questions": [{"code": "A"}]}))
    with pytest.raises(CommandError):
        call_command("load_instrument", str(path), "--organisation", "acme")
    assert not Instrument.objects.filter(organisation=world.personas.organisation).exists()


def test_an_instrument_without_licence_metadata_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.instrument_import(
            organisation=world.personas.organisation,
            data={"name": "X", "questions": [{"code": "A"}]},
            actor=None,
        )


def test_a_survey_that_reaches_its_closing_time_is_told_to_the_webhooks_once(world: Any) -> None:
    from mentora.webhooks.models import Delivery, Webhook, WebhookEvent

    Webhook.objects.create(
        organisation=world.personas.organisation,
        url="http://127.0.0.1:9/hook",
        events=[WebhookEvent.SURVEY_CLOSED],
    )
    now = timezone.now()
    on_time = schedule(
        world, opens_at=now - dt.timedelta(days=9), closes_at=now + dt.timedelta(days=1)
    )
    early = schedule(
        world, opens_at=now - dt.timedelta(days=9), closes_at=now + dt.timedelta(days=5)
    )
    services.survey_close(survey=early, actor=world.personas.manager)
    assert Delivery.objects.filter(payload__survey_id=early.pk).count() == 1
    assert services.surveys_announce_closed(now=now) == 0
    later = now + dt.timedelta(days=2)
    assert services.surveys_announce_closed(now=later) == 1
    assert services.surveys_announce_closed(now=later) == 0
    [told] = Delivery.objects.filter(payload__survey_id=on_time.pk)
    assert told.event == WebhookEvent.SURVEY_CLOSED
    assert Delivery.objects.filter(payload__survey_id=early.pk).count() == 1
