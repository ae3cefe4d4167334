from django.urls import reverse
from django_tasks import task

from mentora.notifications.services import notify
from mentora.programmes.models import Participant
from mentora.relationships.tasks import notify_both, pair_with_people
from mentora.rounds.models import Introduction, IntroductionStatus, MatchingRound
from mentora.rounds.quality import quality_store
from mentora.rounds.services import fairness, rounds


@task()
def run_round(round_id: int) -> str:
    # Imported here: the services of choosing import this module to enqueue their e-mails.
    from mentora.rounds.services import choices

    matching_round = rounds.round_run(round_id=round_id)
    return choices.round_offer_on_demand(matching_round=matching_round).status


@task()
def store_round_quality(round_id: int) -> None:
    """Work out and store a finished round's quality summary for its review."""
    matching_round = MatchingRound.objects.filter(pk=round_id).first()
    if matching_round is not None:
        quality_store(matching_round=matching_round)


@task()
def check_round_order(round_id: int) -> str:
    """Solve a round again in a shuffled order (as long as the round took to run)."""
    return str(fairness.round_order_check_run(round_id=round_id)["status"])


@task()
def send_introductions(pair_id: int) -> int:
    """Introduce the pair to each other, each in their own language."""
    pair = pair_with_people(pair_id)
    return notify_both(
        pair.mentee,
        pair.mentor,
        template="rounds/email/introduction",
        context={"pair": pair, "programme": pair.programme},
        link=reverse("my_programmes"),
    )


@task()
def send_choice_invitation(round_id: int, mentee_id: int) -> bool:

    matching_round = MatchingRound.objects.select_related("programme").get(pk=round_id)
    mentee = Participant.objects.select_related("user").get(pk=mentee_id)
    if mentee.user is None:
        return False
    notify(
        user=mentee.user,
        template="rounds/email/choose",
        context={
            "programme": matching_round.programme,
            "count": matching_round.suggestions.filter(mentee=mentee).count(),
        },
        link=reverse("my_matching"),
    )
    return True


@task()
def send_introduction_request(introduction_id: int, reminder: bool = False) -> int:
    """Ask both to accept or decline; a reminder goes only to those who have not answered."""

    introduction = Introduction.objects.select_related(
        "matching_round__programme",
        "mentee__person",
        "mentee__user",
        "mentor__person",
        "mentor__user",
    ).get(pk=introduction_id)
    if introduction.status != IntroductionStatus.PENDING:
        return 0
    mentee, mentor = introduction.mentee, introduction.mentor
    answered = [
        who
        for who, answer in (
            (mentee, introduction.mentee_answer),
            (mentor, introduction.mentor_answer),
        )
        if answer
    ]
    return notify_both(
        mentee,
        mentor,
        template="rounds/email/introduction_request",
        context={
            "introduction": introduction,
            "programme": introduction.matching_round.programme,
            "reminder": reminder,
        },
        link=reverse("my_matching"),
        passing_over=answered if reminder else (),
    )
