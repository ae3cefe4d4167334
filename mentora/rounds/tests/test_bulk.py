"""Acting on many proposals of a round and many pairs of a programme at once: the preview,
one transaction through the single services (one audit entry each), skipping with reasons,
refusing forged ids, the undo of reversible changes and the tick of the others."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from conftest import MANAGERS_ONLY, PERSONAS, WRITE, another_programme, audited, undo_key
from mentora.core.models import AuditEntry
from mentora.programmes.models import Participant
from mentora.relationships import tasks as relationship_tasks
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, Proposal, RoundStatus, UnmatchedParticipant
from mentora.rounds.services import proposals as proposals_services
from mentora.rounds.tests.conftest import Cohort, add_finn, run_round


@pytest.fixture
def done(cohort: Cohort) -> MatchingRound:
    return run_round(cohort)


def _proposal(r: MatchingRound, mentee: Participant) -> Proposal:
    return Proposal.objects.get(matching_round=r, mentee=mentee)


def _post(
    client: Any, name: str, r: MatchingRound, ids: list[Any], action: str, **extra: Any
) -> Any:
    return client.post(
        reverse(name, args=[r.pk]),
        {"ids": [str(i) for i in ids], "action": action, **extra},
        follow=True,
    )


def _locked(*proposals: Proposal) -> list[bool]:
    return [Proposal.objects.get(pk=p.pk).locked for p in proposals]


def test_the_review_has_a_checkbox_per_proposal_labelled_with_both_names(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo = _proposal(done, cohort.junior)
    html = client_for(cohort.personas.manager).get(reverse("round_detail", args=[done.pk]))
    page = html.content.decode()
    assert f'name="ids" value="{jo.pk}" id="bulk-{jo.pk}" form="proposals-bulk"' in page
    assert f'<label for="bulk-{jo.pk}" class="visually-hidden">Choose Jo Junior and Mo Mentor' in (
        page
    )
    assert 'id="proposals-bulk" class="bulk-form"' in page
    assert '<option value="publish">Publish the selected pairs</option>' in page


def test_locking_many_previews_skips_the_locked_then_locks_each_with_an_audit_entry(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo, eva = _proposal(done, cohort.junior), _proposal(done, cohort.eva)
    proposals_services.proposal_lock(proposal=eva, locked=True, actor=cohort.personas.manager)
    client = client_for(cohort.personas.manager)
    before = AuditEntry.objects.count()
    preview = _post(client, "proposals_bulk_preview", done, [jo.pk, eva.pk], "lock")
    html = preview.content.decode()
    assert "1 will be changed." in html and "1 will be skipped." in html
    assert "Locked: a re-run keeps this pair." in html
    assert "This pair is locked already." in html
    assert "Apply to 1 pair" in html
    assert 'name="confirm"' not in html
    assert _locked(jo) == [False] and AuditEntry.objects.count() == before
    applied = _post(client, "proposals_bulk_apply", done, [jo.pk, eva.pk], "lock")
    page = applied.content.decode()
    assert "1 pair locked." in page and 'class="undo-form"' in page
    assert "1 skipped: Eva Extra and " in page
    assert _locked(jo, eva) == [True, True]
    assert audited("rounds.proposal.lock") == sorted([str(jo.pk), str(eva.pk)])


def test_undoing_a_lock_unlocks_through_the_service_once(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo, eva = _proposal(done, cohort.junior), _proposal(done, cohort.eva)
    client = client_for(cohort.personas.manager)
    _post(client, "proposals_bulk_apply", done, [jo.pk, eva.pk], "lock")
    key = undo_key(client)
    # Someone unlocks Eva's pair by hand before the undo.
    proposals_services.proposal_lock(proposal=eva, locked=False, actor=cohort.personas.manager)
    undo = client.post(reverse("proposals_bulk_undo", args=[done.pk]), {"key": key}, follow=True)
    html = undo.content.decode()
    assert "1 pair is as it was." in html
    assert "This pair is not locked." in html
    assert _locked(jo, eva) == [False, False]
    assert audited("rounds.proposal.unlock") == sorted([str(jo.pk), str(eva.pk)])
    again = client.post(reverse("proposals_bulk_undo", args=[done.pk]), {"key": key}, follow=True)
    assert "There is nothing to undo" in again.content.decode()


def test_removing_many_makes_the_mentees_unmatched_and_the_undo_proposes_them_again(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo, eva = _proposal(done, cohort.junior), _proposal(done, cohort.eva)
    eva_mentor = eva.mentor_id
    client = client_for(cohort.personas.manager)
    removed = _post(client, "proposals_bulk_apply", done, [jo.pk, eva.pk], "remove")
    assert "2 pairs removed." in removed.content.decode()
    assert not done.proposals.exists()
    assert set(
        UnmatchedParticipant.objects.filter(matching_round=done, reason_code="removed").values_list(
            "participant_id", flat=True
        )
    ) == {cohort.junior.pk, cohort.eva.pk}
    assert audited("rounds.proposal.remove") == sorted([str(jo.pk), str(eva.pk)])
    undo = client.post(
        reverse("proposals_bulk_undo", args=[done.pk]), {"key": undo_key(client)}, follow=True
    )
    assert "2 pairs are as they were." in undo.content.decode()
    assert dict(done.proposals.values_list("mentee_id", "mentor_id")) == {
        cohort.junior.pk: cohort.mo.pk,
        cohort.eva.pk: eva_mentor,
    }
    assert not UnmatchedParticipant.objects.filter(matching_round=done).exists()
    assert len(audited("rounds.proposal.restore")) == 2


def test_the_undo_of_a_removal_skips_a_mentee_matched_since(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo = _proposal(done, cohort.junior)
    client = client_for(cohort.personas.manager)
    _post(client, "proposals_bulk_apply", done, [jo.pk], "remove")
    key = undo_key(client)
    # Jo is matched again by hand before the undo.
    proposals_services.proposal_assign(
        matching_round=done, mentee=cohort.junior, mentor=cohort.mo, actor=cohort.personas.manager
    )
    undo = client.post(reverse("proposals_bulk_undo", args=[done.pk]), {"key": key}, follow=True)
    assert "Jo Junior and Mo Mentor: The mentee has been matched in this round since." in (
        undo.content.decode()
    )
    assert not audited("rounds.proposal.restore")


def test_publishing_the_selected_pairs_needs_the_tick_and_leaves_the_others_proposed(
    client_for: Any,
    cohort: Cohort,
    done: MatchingRound,
    django_capture_on_commit_callbacks: Any,
) -> None:
    jo, eva = _proposal(done, cohort.junior), _proposal(done, cohort.eva)
    client = client_for(cohort.personas.manager)
    preview = _post(client, "proposals_bulk_preview", done, [jo.pk], "publish").content.decode()
    assert "Published: both, and the mentee&#x27;s line manager, are told." in preview
    assert 'name="confirm"' in preview
    _post(client, "proposals_bulk_apply", done, [jo.pk], "publish")
    assert not Pair.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        published = _post(client, "proposals_bulk_apply", done, [jo.pk], "publish", confirm="on")
    html = published.content.decode()
    assert "1 pair was published and introduced." in html
    assert "bulk_undo" not in client.session
    pair = Pair.objects.get()
    assert (pair.mentee_id, pair.mentor_id, pair.matching_round_id) == (
        cohort.junior.pk,
        cohort.mo.pk,
        done.pk,
    )
    assert Proposal.objects.get(pk=jo.pk).pair_id == pair.pk
    assert Participant.objects.get(pk=cohort.junior.pk).status == "matched"
    assert Participant.objects.get(pk=cohort.mo.pk).status == "matched"
    # The other proposal waits, in a round still open for review.
    done.refresh_from_db()
    assert done.status == RoundStatus.DONE
    assert Proposal.objects.get(pk=eva.pk).pair_id is None
    assert Participant.objects.get(pk=cohort.eva.pk).status == "ready"
    assert audited("rounds.proposal.publish") == [str(jo.pk)]
    assert not audited("rounds.round.publish")
    introduced = DBTaskResult.objects.filter(task_path="mentora.rounds.tasks.send_introductions")
    assert introduced.count() == 1
    # A published pair has no checkbox and can no longer be locked, removed or published.
    page = client.get(reverse("round_detail", args=[done.pk])).content.decode()
    assert f'value="{jo.pk}" id="bulk-{jo.pk}"' not in page
    assert "Publish all other pairs" in page
    with pytest.raises(ValidationError):
        proposals_services.proposal_remove(proposal=jo, actor=cohort.personas.manager)
    again = _post(client, "proposals_bulk_apply", done, [jo.pk], "lock")
    assert "This pair is already published." in again.content.decode()
    # Publishing the rest publishes only the rest, and the round.
    proposals_services.round_publish(matching_round=done, actor=cohort.personas.manager)
    done.refresh_from_db()
    assert done.status == RoundStatus.PUBLISHED
    assert Pair.objects.count() == 2


def test_publishing_the_last_proposals_publishes_the_round(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    ids = list(done.proposals.values_list("pk", flat=True))
    client = client_for(cohort.personas.manager)
    _post(client, "proposals_bulk_apply", done, ids, "publish", confirm="on")
    done.refresh_from_db()
    assert done.status == RoundStatus.PUBLISHED
    assert Pair.objects.count() == 2
    assert audited("rounds.round.publish") == [str(done.pk)]


def test_publishing_skips_a_pair_that_breaks_a_rule_now(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo, eva = _proposal(done, cohort.junior), _proposal(done, cohort.eva)
    # Mo's one place is taken, since the round ran, by a pair made elsewhere.
    Pair.objects.create(
        programme=cohort.programme, mentee=add_finn(cohort, []), mentor=cohort.mo, score=1.0
    )
    client = client_for(cohort.personas.manager)
    html = _post(
        client, "proposals_bulk_apply", done, [jo.pk, eva.pk], "publish", confirm="on"
    ).content.decode()
    assert "1 pair was published and introduced." in html
    assert "Jo Junior and Mo Mentor: The mentor already has" in html
    assert list(Pair.objects.filter(matching_round=done).values_list("mentee_id", flat=True)) == [
        cohort.eva.pk
    ]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("influence_mode", "mutual_opt_in", "both sides opt in"),
        ("kind", "group", "each mentor&#x27;s group is formed at once"),
    ],
)
def test_publishing_some_is_skipped_where_the_programme_does_not_allow_it(
    client_for: Any, cohort: Cohort, done: MatchingRound, field: str, value: str, reason: str
) -> None:
    setattr(cohort.programme, field, value)
    cohort.programme.save()
    jo = _proposal(done, cohort.junior)
    html = _post(
        client_for(cohort.personas.manager),
        "proposals_bulk_apply",
        done,
        [jo.pk],
        "publish",
        confirm="on",
    ).content.decode()
    assert "1 skipped: Jo Junior and Mo Mentor:" in html and reason in html
    assert not Pair.objects.exists()


@pytest.mark.parametrize("forged", ["other_round", "missing", "not-a-number"])
def test_a_forged_or_foreign_proposal_refuses_the_batch_and_writes_nothing(
    client_for: Any, cohort: Cohort, done: MatchingRound, forged: str
) -> None:
    other = run_round(cohort)
    bad = {
        "other_round": other.proposals.first().pk,  # type: ignore[union-attr]
        "missing": 999999,
        "not-a-number": "1x",
    }[forged]
    jo = _proposal(done, cohort.junior)
    before = AuditEntry.objects.count()
    html = _post(
        client_for(cohort.personas.manager), "proposals_bulk_apply", done, [jo.pk, bad], "lock"
    ).content.decode()
    assert "Nothing was changed: one of the chosen pairs is not on this list." in html
    assert _locked(jo) == [False]
    assert AuditEntry.objects.count() == before


def test_a_round_no_longer_open_is_not_changed(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    jo = _proposal(done, cohort.junior)
    proposals_services.round_publish(matching_round=done, actor=cohort.personas.manager)
    html = _post(
        client_for(cohort.personas.manager), "proposals_bulk_apply", done, [jo.pk], "unlock"
    ).content.decode()
    assert "This round can no longer be changed." in html
    assert not audited("rounds.proposal.unlock")


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_act_on_many_proposals(
    client_for: Any, cohort: Cohort, done: MatchingRound, who: str
) -> None:
    jo = _proposal(done, cohort.junior)
    client = client_for(getattr(cohort.personas, who))
    data = {"ids": [jo.pk], "action": "lock"}
    preview = client.post(reverse("proposals_bulk_preview", args=[done.pk]), data)
    assert preview.status_code == MANAGERS_ONLY[who]
    applied = client.post(reverse("proposals_bulk_apply", args=[done.pk]), data)
    assert applied.status_code == WRITE[who]
    assert _locked(jo) == [WRITE[who] == 302]
    undo = client.post(reverse("proposals_bulk_undo", args=[done.pk]), {"key": "0" * 32})
    assert undo.status_code == WRITE[who]
    assert _locked(jo) == [WRITE[who] == 302]
    published = client.post(
        reverse("proposals_bulk_apply", args=[done.pk]),
        {"ids": [jo.pk], "action": "publish", "confirm": "on"},
    )
    assert published.status_code == WRITE[who]
    assert Pair.objects.exists() == (WRITE[who] == 302)


# Pairs of a programme ------------------------------------------------------------------------


@pytest.fixture
def pairs(cohort: Cohort, done: MatchingRound) -> list[Pair]:
    """Jo's pair, at work, and Eva's, ended."""
    proposals_services.round_publish(matching_round=done, actor=cohort.personas.manager)
    jo = Pair.objects.get(mentee=cohort.junior)
    eva = Pair.objects.get(mentee=cohort.eva)
    proposals_services.pair_end(pair=eva, actor=cohort.personas.manager, reason="SECRETREASON")
    return [jo, eva]


def _pairs_post(client: Any, name: str, cohort: Cohort, data: dict[str, Any]) -> Any:
    return client.post(reverse(name, args=[cohort.programme.pk]), data, follow=True)


def test_the_pairs_list_has_a_checkbox_per_active_pair(
    client_for: Any, cohort: Cohort, pairs: list[Pair]
) -> None:
    jo, eva = pairs
    page = client_for(cohort.personas.manager).get(
        reverse("programme_pairs", args=[cohort.programme.pk])
    )
    html = page.content.decode()
    assert f'<label for="bulk-{jo.pk}" class="visually-hidden">Choose Jo Junior and Mo Mentor' in (
        html
    )
    assert f'id="bulk-{eva.pk}"' not in html
    assert 'id="pairs-bulk" class="bulk-form"' in html


def test_nudging_many_needs_the_tick_and_skips_ended_pairs(
    client_for: Any, cohort: Cohort, pairs: list[Pair], django_capture_on_commit_callbacks: Any
) -> None:
    jo, eva = pairs
    client = client_for(cohort.personas.manager)
    data = {"ids": [jo.pk, eva.pk], "action": "nudge"}
    preview = _pairs_post(client, "pairs_bulk_preview", cohort, data).content.decode()
    assert "Both get a friendly reminder to meet." in preview
    assert "This match has ended." in preview and 'name="confirm"' in preview
    _pairs_post(client, "pairs_bulk_apply", cohort, data)
    assert Pair.objects.get(pk=jo.pk).nudged_at is None
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        html = _pairs_post(
            client, "pairs_bulk_apply", cohort, {**data, "confirm": "on"}
        ).content.decode()
    assert "1 pair nudged." in html and "1 skipped: Eva Extra and" in html
    assert Pair.objects.get(pk=jo.pk).nudged_at is not None
    assert Pair.objects.get(pk=eva.pk).nudged_at is None
    assert audited("relationships.pair.nudge") == [str(jo.pk)]
    assert DBTaskResult.objects.count() - queued == 1
    assert DBTaskResult.objects.order_by("-pk").first().task_path == (  # type: ignore[union-attr]
        "mentora.relationships.tasks.send_nudge"
    )


def test_asking_many_how_it_is_going_notifies_both_and_audits_no_text(
    client_for: Any, cohort: Cohort, pairs: list[Pair], django_capture_on_commit_callbacks: Any
) -> None:
    jo, eva = pairs
    client = client_for(cohort.personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        html = _pairs_post(
            client,
            "pairs_bulk_apply",
            cohort,
            {"ids": [jo.pk, eva.pk], "action": "checkin", "confirm": "on"},
        ).content.decode()
    assert "1 pair asked how it is going." in html
    assert audited("relationships.pair.checkin_request") == [str(jo.pk)]
    entry = AuditEntry.objects.get(action="relationships.pair.checkin_request")
    assert not entry.changes
    assert DBTaskResult.objects.order_by("-pk").first().task_path == (  # type: ignore[union-attr]
        "mentora.relationships.tasks.send_checkin_request"
    )
    # Each of the two with an account is told, by e-mail and in the inbox.
    mail.outbox.clear()
    told = relationship_tasks.send_checkin_request.call(jo.pk)
    assert told == sum(1 for p in (cohort.junior, cohort.mo) if p.user_id)
    assert told == len(mail.outbox) > 0
    message = mail.outbox[0]
    assert message.subject == "How is your mentoring going in Graduates 2027?"
    assert f"/pairs/{jo.pk}/#feedback-heading" in str(message.body)
    assert "SECRETREASON" not in str(message.body)


@pytest.mark.parametrize("forged", ["other_programme", "missing"])
def test_a_forged_or_foreign_pair_refuses_the_batch_and_writes_nothing(
    client_for: Any, cohort: Cohort, pairs: list[Pair], forged: str
) -> None:
    jo, _eva = pairs
    bad = 999999
    if forged == "other_programme":
        other = Pair.objects.create(
            programme=another_programme(cohort),
            mentee=cohort.junior,
            mentor=cohort.mo,
            score=1.0,
        )
        bad = other.pk
    before = AuditEntry.objects.count()
    html = _pairs_post(
        client_for(cohort.personas.manager),
        "pairs_bulk_apply",
        cohort,
        {"ids": [jo.pk, bad], "action": "nudge", "confirm": "on"},
    ).content.decode()
    assert "Nothing was changed: one of the chosen pairs is not on this list." in html
    assert Pair.objects.get(pk=jo.pk).nudged_at is None
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_nudge_or_ask_many_pairs(
    client_for: Any, cohort: Cohort, pairs: list[Pair], who: str
) -> None:
    jo, _eva = pairs
    client = client_for(getattr(cohort.personas, who))
    for action in ("nudge", "checkin"):
        data = {"ids": [jo.pk], "action": action, "confirm": "on"}
        preview = client.post(reverse("pairs_bulk_preview", args=[cohort.programme.pk]), data)
        assert preview.status_code == MANAGERS_ONLY[who]
        applied = client.post(reverse("pairs_bulk_apply", args=[cohort.programme.pk]), data)
        assert applied.status_code == WRITE[who]
    assert (Pair.objects.get(pk=jo.pk).nudged_at is not None) == (WRITE[who] == 302)
    assert bool(audited("relationships.pair.checkin_request")) == (WRITE[who] == 302)
