from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from mentora.core.fields import EncryptedTextField


class PairQuerySet(models.QuerySet["Pair"]):
    def active(self) -> PairQuerySet:
        return self.filter(ended_at__isnull=True)


class PairEndCause(models.TextChoices):
    """Why a pair ended, when it was not a choice of the pair or the programme team."""

    NONE = "", _("Not recorded")
    MENTEE_LEFT = "mentee_left", _("The mentee left the organisation")
    MENTOR_LEFT = "mentor_left", _("The mentor left the organisation")


class Pair(models.Model):
    """A published match: the pair's workspace, from introduction to the end."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="pairs"
    )
    mentee = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="pairs_as_mentee"
    )
    mentor = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="pairs_as_mentor"
    )
    matching_round = models.ForeignKey(
        "rounds.MatchingRound",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairs",
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Private: shown to programme managers only, never to the other participant.
    end_reason = EncryptedTextField(_("reason for ending"), blank=True)
    # A neutral fact for the pair and the programme team, unlike the private reason.
    end_cause = models.CharField(
        _("cause of the ending"),
        max_length=20,
        choices=PairEndCause.choices,
        default=PairEndCause.NONE,
        blank=True,
    )
    nudged_at = models.DateTimeField(null=True, blank=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair")
        verbose_name_plural = _("pairs")
        ordering = ["-started_at"]
        constraints = [
            # A mentee has one mentor at a time in a programme.
            models.UniqueConstraint(
                fields=["programme", "mentee"],
                condition=models.Q(ended_at__isnull=True),
                name="pair_one_active_per_mentee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee.person} & {self.mentor.person}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def member_user_ids(self) -> set[int]:
        return {uid for uid in (self.mentee.user_id, self.mentor.user_id) if uid}

    def latest_agreement(self) -> Agreement | None:
        """The version of the agreement in force: the one both sign."""
        return self.agreements.order_by("-version").first()

    def closure_refusals(self, *, now: dt.datetime | None = None) -> list[str]:
        """Why the pair may not close yet, in words (empty when it may). A closing ends
        the mentoring and earns a diploma: the programme must be under way and the pair
        must have met at least once."""
        now = now or timezone.now()
        reasons = []
        start = self.programme.start_date
        if start is not None and start > timezone.localdate(now):
            reasons.append(
                str(
                    _("The programme starts on %(date)s; a pair can close once it is under way.")
                    % {"date": formats.date_format(start)}
                )
            )
        if not self.meetings.filter(cancelled_at__isnull=True, starts_at__lt=now).exists():
            reasons.append(
                str(
                    _(
                        "Hold at least one meeting before closing. To end a match that never "
                        "got going, end it without blame on your matching page instead."
                    )
                )
            )
        return reasons


class GroupKind(models.TextChoices):
    MENTORING = "mentoring", _("Mentoring group (a mentor with several mentees)")
    MENTEE_PEERS = "mentee_peers", _("Mentee peer group")
    MENTOR_SUPERVISION = "mentor_supervision", _("Mentor supervision group")
    ACTION_LEARNING = "action_learning", _("Action-learning group (one per organisation)")


class PeerGroup(models.Model):
    """A group that meets together: formed by the engine's groups mode, or a mentor's
    mentees in a group programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="groups"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    number = models.PositiveIntegerField()
    members = models.ManyToManyField("programmes.Participant", related_name="peer_groups")
    explanation = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "number"], name="group_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Agreement(models.Model):
    """The mentoring agreement a pair makes at its first meeting; every change is a new
    version that both sign again."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    meeting_frequency = models.CharField(_("how often you meet"), max_length=200)
    planned_meetings = models.PositiveSmallIntegerField(_("how many meetings"))
    learning_goals = EncryptedTextField(_("what the mentee wants to learn"))
    ways_of_working = EncryptedTextField(_("how you will work together"))
    confidentiality = models.BooleanField(
        _("what we say stays between us, both ways"), default=False
    )
    not_recruitment = models.BooleanField(
        _("the programme is not a recruitment channel"), default=False
    )
    end_date = models.DateField(_("formal end date"))
    after_end = EncryptedTextField(_("what happens after the end"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    mentee_signed_at = models.DateTimeField(null=True, blank=True)
    mentor_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["pair", "version"], name="agreement_version_unique"),
            models.CheckConstraint(
                condition=models.Q(confidentiality=True) & models.Q(not_recruitment=True),
                name="agreement_states_confidentiality_and_not_recruitment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pair} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return bool(self.mentee_signed_at and self.mentor_signed_at)


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class Meeting(models.Model):
    """A meeting of a pair. The agenda, notes and reflections are the pair's alone."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Calendar clients replace an invitation with a higher sequence number.
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=60)
    mode = models.CharField(_("how"), max_length=10, choices=MeetingMode.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("online link"), blank=True)
    # Confidential to the pair: never shown to managers, sponsors or line managers.
    agenda = EncryptedTextField(_("agenda"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    follow_up = EncryptedTextField(_("follow-up and the mentee's homework"), blank=True)
    # Each one's own, visible to its author only.
    mentee_reflection = EncryptedTextField(blank=True)
    mentor_reflection = EncryptedTextField(blank=True)
    # Ratings are facts for relationship health; the manager sees their trend, not text.
    mentee_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    mentor_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    agenda_reminded_at = models.DateTimeField(null=True, blank=True)
    # When "Did you meet?" was asked about this version (sequence) of the meeting.
    checkin_sent_at = models.DateTimeField(null=True, blank=True)
    # What the check-ins said: None until someone answers, True once one says "we met".
    happened = models.BooleanField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentee_rating__isnull=True)
                | models.Q(mentee_rating__gte=1, mentee_rating__lte=5),
                name="meeting_mentee_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(mentor_rating__isnull=True)
                | models.Q(mentor_rating__gte=1, mentor_rating__lte=5),
                name="meeting_mentor_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pair} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_past(self) -> bool:
        return self.starts_at < timezone.now()


class Goal(models.Model):
    """A learning theme the pair works on. The mentee's line manager follows the theme and
    its progress, never the conversations."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goals")
    theme = models.CharField(_("theme"), max_length=200)
    description = EncryptedTextField(_("what success looks like"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="goal_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return self.theme


class PairTextQuerySet(models.QuerySet[Any]):
    """Texts written about a pair for the programme team (feedback to the team, check-in
    notes): staff read them, except about a pair they are a member of themselves, where
    they would read the other member's words, or their colleagues' notes, about them."""

    def not_about_pairs_of(self, reader: Any) -> Any:
        return self.exclude(
            models.Q(pair__mentee__user_id=reader.pk) | models.Q(pair__mentor__user_id=reader.pk)
        )


class FollowUp(models.Model):
    """A programme manager's individual check-in with a pair (or one of its members)."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="follow_ups")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("date"))
    channel = models.CharField(_("how"), max_length=100, blank=True)
    # The manager's own notes of the check-in, for the programme team only.
    note = EncryptedTextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PairTextQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.pair} {self.held_on}"


class Continuation(models.TextChoices):
    STAY_IN_TOUCH = "stay_in_touch", _("Stay in touch")
    MORE_SESSIONS = "more_sessions", _("A few more sessions")
    NETWORK = "network", _("Keep each other in our networks")
    CLEAN_END = "clean_end", _("A clean end")


class Closure(models.Model):
    """How a pair ends: each one's final reflection (their own), the agreed continuation,
    and a word of thanks to the other."""

    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="closure")
    mentee_reflection = EncryptedTextField(blank=True)
    mentor_reflection = EncryptedTextField(blank=True)
    mentee_continuation = models.CharField(max_length=20, choices=Continuation.choices, blank=True)
    mentor_continuation = models.CharField(max_length=20, choices=Continuation.choices, blank=True)
    # Each thanks the other; the other reads it.
    mentee_thanks = EncryptedTextField(blank=True)
    mentor_thanks = EncryptedTextField(blank=True)
    mentee_done_at = models.DateTimeField(null=True, blank=True)
    mentor_done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.pair} closure"

    @property
    def is_complete(self) -> bool:
        return bool(self.mentee_done_at and self.mentor_done_at)

    @property
    def agreed_continuation(self) -> str | None:
        if self.mentee_continuation and self.mentee_continuation == self.mentor_continuation:
            return self.mentee_continuation
        return None


class StoryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the programme manager")
    APPROVED = "approved", _("Published")
    DECLINED = "declined", _("Not published")


class Story(models.Model):
    """A participant's story of their mentoring, shared with consent, approved by the
    manager before anyone else reads it."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="stories")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = EncryptedTextField(_("title"), max_length=200)
    text = EncryptedTextField(_("your story"))
    consent = models.BooleanField(_("I agree that this story is shown to others"))
    status = models.CharField(
        max_length=10, choices=StoryStatus.choices, default=StoryStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PairTextQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("stories")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(consent=True), name="story_needs_consent")
        ]

    def __str__(self) -> str:
        # The title is the author's own until the story is published: never in a label.
        return f"{self.pair} story"


class FeedbackMoment(models.Model):
    """A moment the programme sets for two-way feedback (for example midway and at the end)."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="feedback_moments"
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))

    class Meta:
        ordering = ["opens_on", "pk"]

    def __str__(self) -> str:
        return self.title


class FeedbackDirection(models.TextChoices):
    MENTOR_TO_MENTEE = "mentor_to_mentee", _("Mentor to mentee")
    MENTEE_TO_MENTOR = "mentee_to_mentor", _("Mentee to mentor")
    MENTEE_TO_MANAGER = "mentee_to_manager", _("Mentee to the programme manager")
    MENTOR_TO_MANAGER = "mentor_to_manager", _("Mentor to the programme manager")
    LINE_MANAGER_TO_MENTEE = "line_manager_to_mentee", _("Line manager to mentee")


TO_PROGRAMME_TEAM = (FeedbackDirection.MENTEE_TO_MANAGER, FeedbackDirection.MENTOR_TO_MANAGER)


class FeedbackQuerySet(PairTextQuerySet):
    def for_programme_team(self, reader: Any) -> FeedbackQuerySet:
        """Feedback addressed to the programme team that `reader`, as one of the team, may
        read: never about a pair `reader` is a member of."""
        return self.filter(direction__in=TO_PROGRAMME_TEAM).not_about_pairs_of(reader)


class Feedback(models.Model):
    """Specific, strength-focused feedback: read by its author and its recipient only."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="feedback")
    moment = models.ForeignKey(
        FeedbackMoment, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    direction = models.CharField(max_length=30, choices=FeedbackDirection.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(_("feedback"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pair} {self.direction}"


class ToolPhase(models.TextChoices):
    START = "start", _("Getting started")
    MIDDLE = "middle", _("The middle")
    END = "end", _("Closing")
    ANY = "any", _("Any time")


class ToolKind(models.TextChoices):
    ROLE = "role", _("Mentor role")
    QUESTIONS = "questions", _("Question prompts")
    AGENDA = "agenda", _("Agenda template")


class Tool(models.Model):
    """A conversation tool. Mentora ships a library; a programme may add or replace tools."""

    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tools",
    )
    # A programme's own version of a library tool replaces it for that programme.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replacements"
    )
    code = models.SlugField(max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ToolKind.choices)
    phase = models.CharField(_("phase"), max_length=8, choices=ToolPhase.choices, default="any")
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    body_da = models.TextField(_("text (Danish)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title_en

    def title(self, language: str) -> str:
        return self.title_da if language == "da" else self.title_en

    def body(self, language: str) -> str:
        return self.body_da if language == "da" else self.body_en


class Recording(models.Model):
    """A recording of a meeting: only with both participants' consent, and deleted on the
    agreed date by a background task."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="recording")
    mentee_consent_at = models.DateTimeField(null=True, blank=True)
    mentor_consent_at = models.DateTimeField(null=True, blank=True)
    delete_on = models.DateField(_("delete on"))
    file = models.FileField(upload_to="recordings/%Y/", blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.meeting} recording"

    @property
    def has_consent(self) -> bool:
        return bool(self.mentee_consent_at and self.mentor_consent_at)


# Kept in modules of their own so that each stays short; imported here so that Django
# finds them and every `from mentora.relationships.models import ...` keeps working.
from mentora.relationships.expert_models import (  # noqa: E402, I001
    ExpertActivity as ExpertActivity,
    ExpertActivityKind as ExpertActivityKind,
    ExpertConnection as ExpertConnection,
    FlashBooking as FlashBooking,
    FlashSlot as FlashSlot,
)
from mentora.relationships.support_models import (  # noqa: E402, I001
    INTRODUCTION_REMINDER_DAYS as INTRODUCTION_REMINDER_DAYS,
    LADDER as LADDER,
    CheckIn as CheckIn,
    CheckInAnswer as CheckInAnswer,
    Escalation as Escalation,
    EscalationStep as EscalationStep,
    Pause as Pause,
    PauseQuerySet as PauseQuerySet,
    PauseReason as PauseReason,
    SupportSettings as SupportSettings,
)
