"""Programmes from design to "ready to match": design, questionnaires, participants."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation, User
from mentora.matching import Policy
from mentora.people.models import Person

# Group mentoring: more than five mentees per mentor needs a stated reason.
GROUP_SIZE_RECOMMENDED = 5
# Practitioners see most programmes last 6-18 months; outside that range we warn.
DURATION_MONTHS = (6, 18)


def default_policy() -> dict[str, Any]:
    """The engine's default policy, in the dict form the engine reads back."""
    return Policy().to_dict()


def new_application_token() -> str:
    return secrets.token_urlsafe(16)


class ProgrammeKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    REVERSE = "reverse", _("Reverse mentoring")
    GROUP = "group", _("Group mentoring")
    PEER = "peer", _("Peer mentoring")
    CROSS_ONE_WAY = "cross_one_way", _("Cross-organisation, one-way")
    CROSS_TWO_WAY = "cross_two_way", _("Cross-organisation, two-way")
    EXPERT_NETWORK = "expert_network", _("Expert network")


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class InfluenceMode(models.TextChoices):
    MANAGER_PUBLISHES = "manager_publishes", _("The programme manager publishes the matches")
    MENTEE_CHOOSES = "mentee_chooses", _("Mentees choose among a few suggestions")
    MUTUAL_OPT_IN = "mutual_opt_in", _("Both sides opt in")


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def with_applications_open(self) -> ProgrammeQuerySet:
        return self.filter(applications_open=True)


class Programme(models.Model):
    """One cohort of a mentoring programme, owned by one organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ProgrammeKind.choices, default=ProgrammeKind.ONE_TO_ONE
    )
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON
    )
    purpose = models.TextField(
        _("purpose"), blank=True, help_text=_("The need the programme answers.")
    )
    sponsors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sponsors"),
        blank=True,
        related_name="sponsored_programmes",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programme managers"),
        blank=True,
        related_name="managed_programmes",
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    max_mentees_per_mentor = models.PositiveSmallIntegerField(
        _("maximum mentees per mentor"), default=1
    )
    # Rolling (evergreen) intake: people join at any time and each mentee is matched when
    # ready, against the mentors with a free place; there are no cohort dates and no end.
    rolling = models.BooleanField(
        _("rolling intake"),
        default=False,
        help_text=_(
            "People join at any time and each mentee is matched as soon as they are ready. "
            "A rolling programme has no end date."
        ),
    )
    group_size_override_reason = models.TextField(_("reason for larger groups"), blank=True)
    matching_policy = models.JSONField(_("matching policy"), default=default_policy)
    influence_mode = models.CharField(
        _("participant influence"),
        max_length=20,
        choices=InfluenceMode.choices,
        default=InfluenceMode.MANAGER_PUBLISHES,
    )
    applications_open = models.BooleanField(_("applications open"), default=False)
    application_token = models.CharField(max_length=40, unique=True, default=new_application_token)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-start_date", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gt=models.F("start_date")),
                name="programme_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(max_mentees_per_mentor__gte=1),
                name="programme_mentor_takes_someone",
            ),
            # A rolling programme keeps going: it has no end date to count from.
            models.CheckConstraint(
                condition=models.Q(rolling=False) | models.Q(end_date__isnull=True),
                name="programme_rolling_has_no_end",
            ),
            # Group mentoring above the recommended size needs the manager's reason.
            models.CheckConstraint(
                condition=~models.Q(kind="group")
                | models.Q(max_mentees_per_mentor__lte=GROUP_SIZE_RECOMMENDED)
                | ~models.Q(group_size_override_reason=""),
                name="programme_large_groups_need_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_cross_organisation(self) -> bool:
        return self.kind in (ProgrammeKind.CROSS_ONE_WAY, ProgrammeKind.CROSS_TWO_WAY)

    def organisation_ids(self) -> set[int]:
        """The owner and every contributing organisation."""
        ids = {self.organisation_id}
        ids.update(self.contributions.values_list("organisation_id", flat=True))
        return ids

    def duration_months(self) -> float | None:
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).days / 30.44

    def duration_warning(self) -> bool:
        months = self.duration_months()
        return months is not None and not (DURATION_MONTHS[0] <= months <= DURATION_MONTHS[1])

    def began_on(self) -> dt.date | None:
        """The programme's first day, from which durations count: its start date, or for a
        rolling programme without one, the day it was created (it has been open since)."""
        if self.start_date is not None or not self.rolling:
            return self.start_date
        return timezone.localdate(self.created_at)

    def has_begun(self, today: dt.date) -> bool:
        """Whether the programme is under way on `today`."""
        began = self.began_on()
        return began is not None and began <= today

    @property
    def training_planned(self) -> bool:
        return (
            # Events sit a layer above; their rows are reached through the reverse relation.
            self.events.exists()
            or self.touchpoints.filter(
                kind__in=[TouchpointKind.KICKOFF, TouchpointKind.TRAINING]
            ).exists()
        )

    @property
    def evaluation_planned(self) -> bool:
        return self.touchpoints.filter(kind=TouchpointKind.EVALUATION).exists()


class ProgrammeOrganisation(models.Model):
    """An organisation taking part in a cross-organisation programme, and what it brings."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="contributions")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="programme_contributions",
    )
    contributes_mentors = models.BooleanField(_("contributes mentors"), default=True)
    contributes_mentees = models.BooleanField(_("contributes mentees"), default=True)

    class Meta:
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organisation"], name="programme_organisation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(contributes_mentors=True) | models.Q(contributes_mentees=True),
                name="programme_organisation_contributes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} - {self.programme}"


class TouchpointKind(models.TextChoices):
    KICKOFF = "kickoff", _("Kick-off")
    TRAINING = "training", _("Training")
    MIDWAY = "midway", _("Midway follow-up")
    EVALUATION = "evaluation", _("Evaluation")
    CLOSING = "closing", _("Closing")


class Touchpoint(models.Model):
    """A planned moment in the programme's life; evaluation and training are checked for."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="touchpoints")
    kind = models.CharField(_("kind"), max_length=20, choices=TouchpointKind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class ParticipantRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    SCALE = "scale_1_5", _("Scale from 1 to 5")
    RANKED_THEMES = "ranked_themes", _("Ranked learning themes")
    PREFERRED_MENTORS = "preferred_mentors", _("People I would like as a mentor")


class ProfileField(models.TextChoices):
    """Which part of the matching profile an answer feeds."""

    NONE = "", _("Nothing (for the programme manager only)")
    THEMES = "themes", _("Learning themes")
    GOALS = "goals", _("Goals")
    PREFERENCES = "preferences", _("Preferred matches")
    EXCLUSIONS = "exclusions", _("Exclusions")
    AVAILABILITY = "availability", _("Availability")
    MEETING_MODE = "meeting_mode", _("Meeting mode")
    CAPACITY = "capacity", _("Capacity")


class Question(models.Model):
    """One question of a programme's questionnaire for one role."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    maps_to = models.CharField(
        _("feeds"), max_length=20, choices=ProfileField.choices, default="", blank=True
    )
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["role", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    APPLIED = "applied", _("Applied")
    UNDER_REVIEW = "under_review", _("Under review")
    NEEDS_LINE_MANAGER = "needs_line_manager", _("Needs line-manager approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    TRAINED = "trained", _("Trained")
    READY = "ready", _("Ready to match")
    MATCHED = "matched", _("Matched")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Set by the HR leave date only, never chosen on a page.
    LEFT = "left", _("Left the organisation")


class ScreeningOutcome(models.TextChoices):
    PENDING = "", _("Not yet decided")
    PASSED = "passed", _("Suitable")
    FAILED = "failed", _("Not suitable")


class LineManagerDecision(models.TextChoices):
    NOT_ASKED = "", _("Not asked")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def counts_by_status(self) -> dict[str, int]:
        rows = self.values_list("status").annotate(n=models.Count("pk"))
        return {status: n for status, n in rows}

    def awaiting_line_manager(self) -> ParticipantQuerySet:
        return self.filter(
            status=ParticipantStatus.NEEDS_LINE_MANAGER,
            line_manager_decision=LineManagerDecision.PENDING,
        )

    def reports_of(self, person: Person) -> ParticipantQuerySet:
        """Participations of `person`'s direct and indirect reports, across programmes."""
        ids: set[int] = set()
        frontier = {person.pk}
        # Walk down the reporting tree level by level; `ids` guards against loops in HR data.
        while frontier:
            frontier = set(
                Person.objects.filter(manager_id__in=frontier)
                .exclude(pk__in=ids | {person.pk})
                .values_list("pk", flat=True)
            )
            ids |= frontier
        return self.filter(person_id__in=ids)


class Participant(models.Model):
    """A person's participation in a programme in one role, from invitation to completion."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    role = models.CharField(_("role"), max_length=10, choices=ParticipantRole.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ParticipantStatus.choices,
        default=ParticipantStatus.INVITED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Shown to programme managers only, never to the participant.
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    screening_at = models.DateTimeField(_("screening interview"), null=True, blank=True)
    screening_notes = models.TextField(_("screening notes"), blank=True)
    screening_outcome = models.CharField(
        _("screening outcome"),
        max_length=10,
        choices=ScreeningOutcome.choices,
        default="",
        blank=True,
    )
    line_manager_decision = models.CharField(
        _("line manager's decision"),
        max_length=10,
        choices=LineManagerDecision.choices,
        default="",
        blank=True,
    )
    line_manager_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    line_manager_decided_at = models.DateTimeField(null=True, blank=True)
    # {question id: answer}; answers are personal and shown only to managers and the author.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # What the matching engine reads: themes, goals, preferences, exclusions, ...
    profile = models.JSONField(_("matching profile"), default=dict, blank=True)
    # The last reminder about a pending step, so that nobody is reminded every day.
    reminded_at = models.DateTimeField(null=True, blank=True)
    # A mentor's own say over new mentees, which every round and on-demand match reads at
    # once: the places they offer (empty: as the questionnaire or the programme says), when
    # they can take someone new, and a switch for "no more mentees".
    places = models.PositiveSmallIntegerField(_("places offered"), null=True, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    takes_mentees = models.BooleanField(_("takes new mentees"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["person__last_name", "person__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "role"], name="participant_once_per_role"
            ),
            # Only mentees wait for a line manager.
            models.CheckConstraint(
                condition=~models.Q(status="needs_line_manager") | models.Q(role="mentee"),
                name="participant_line_manager_step_is_for_mentees",
            ),
            models.CheckConstraint(
                condition=models.Q(available_from__isnull=True)
                | models.Q(available_until__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="participant_available_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"

    def themes(self) -> list[str]:
        return list(self.profile.get("themes", []))

    def line_manager_user(self) -> User | None:
        """The account of the person's line manager, who approves a mentee's taking part."""
        manager = self.person.manager
        return manager.user if manager is not None and manager.user is not None else None

    @property
    def mentee_capacity(self) -> int:
        """How many mentees this mentor may have at once: the places they offer (set on
        their participation, else answered in the questionnaire), never more than the
        programme's maximum, which is a rule of the programme, not a default."""
        return capacity_offered(self.places, self.profile, self.programme.max_mentees_per_mentor)

    def available_on(self, day: dt.date) -> bool:
        """Whether the mentor takes someone new on `day`: not switched to "no more
        mentees", and inside the dates they gave (either end may be open)."""
        return takes_someone_new(self.takes_mentees, self.available_from, self.available_until, day)

    def next_step(self) -> str:
        """What the participant should do or expect next, in words."""
        return str(NEXT_STEP.get(self.status, ""))


def capacity_offered(places: int | None, profile: dict[str, Any] | None, maximum: int) -> int:
    """A mentor's places (`Participant.mentee_capacity`) from the values it is made of, for a
    round that reads thousands of mentors as values rather than as model instances."""
    if places is not None:
        return min(places, maximum)
    try:
        offered = int((profile or {}).get("capacity") or maximum)
    except (TypeError, ValueError):
        offered = maximum
    return max(0, min(offered, maximum))


def takes_someone_new(
    takes_mentees: bool,
    available_from: dt.date | None,
    available_until: dt.date | None,
    day: dt.date,
) -> bool:
    """`Participant.available_on` from the values it is made of."""
    if not takes_mentees:
        return False
    if available_from is not None and day < available_from:
        return False
    return available_until is None or day <= available_until


NEXT_STEP: dict[str, Any] = {
    ParticipantStatus.INVITED: _("Fill in the application form."),
    ParticipantStatus.APPLIED: _("The programme manager reviews your application."),
    ParticipantStatus.UNDER_REVIEW: _("The programme manager reviews your application."),
    ParticipantStatus.NEEDS_LINE_MANAGER: _("Your line manager has been asked to approve."),
    ParticipantStatus.APPROVED: _("Attend the preparation workshops."),
    ParticipantStatus.TRAINED: _("The programme manager confirms you are ready to be matched."),
    ParticipantStatus.READY: _("Wait for your match."),
    ParticipantStatus.MATCHED: _("Meet your match and agree how you will work together."),
    ParticipantStatus.ACTIVE: _("Keep meeting; the programme manager follows up."),
    ParticipantStatus.COMPLETED: _("Thank you for taking part."),
    ParticipantStatus.DECLINED: _("Your participation did not go ahead this time."),
    ParticipantStatus.WITHDRAWN: _("You have left the programme."),
    ParticipantStatus.LEFT: _("Your participation ended when you left the organisation."),
}


class ParticipantEvent(models.Model):
    """One step in a participant's history."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ParticipantStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ParticipantStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participant event")
        verbose_name_plural = _("participant events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.participant}: {self.from_status} -> {self.to_status}"


# The goal model has a module of its own; importing it here registers it with the app.
from mentora.programmes.goal_models import GoalMeasure as GoalMeasure  # noqa: E402
from mentora.programmes.goal_models import ProgrammeGoal as ProgrammeGoal  # noqa: E402
from mentora.programmes.guest_models import Guest as Guest  # noqa: E402
