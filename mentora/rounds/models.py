from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.core.fields import EncryptedTextField
from mentora.matching.fairness import ORDER_CHECK_MODES


class RoundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready for review")
    CHOOSING = "choosing", _("Mentees are choosing")
    INTRODUCING = "introducing", _("Introductions sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    PUBLISHED = "published", _("Published")


# A round in one of these has a result: proposals, suggestions or pairs made from them.
RESULT_STATUSES = (
    RoundStatus.DONE,
    RoundStatus.CHOOSING,
    RoundStatus.INTRODUCING,
    RoundStatus.PUBLISHED,
)

# Stored as a round's error when something other than the engine's own refusal stopped it.
UNEXPECTED_FAILURE = "unexpected"


class MatchingRound(models.Model):
    """One run of the engine over a programme's ready participants, and its review."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveIntegerField(_("round"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=RoundStatus.choices, default=RoundStatus.QUEUED
    )
    # "proposals": the engine proposes pairs; "suggestions": each mentee gets a short list.
    kind = models.CharField(max_length=12, default="proposals")
    # Mutual opt-in: days to answer an introduction before it expires.
    answer_within_days = models.PositiveSmallIntegerField(default=7)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)
    cancel_requested = models.BooleanField(default=False)
    # The policy as it was when the round ran, so a round can always be explained.
    policy = models.JSONField(default=dict)
    report = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    error = models.TextField(blank=True)
    # The participants the round matched from, as they ran: {"mentees": [pk], "mentors":
    # [pk]}, so the fairness report counts mentors who were given no one too.
    pool = models.JSONField(default=dict, blank=True)
    # The re-solve in a shuffled order (`services/fairness.py`): its status and figures.
    order_check = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # On demand, in a rolling programme: one mentee, matched against the mentors who have a
    # free place. Empty for a round over everyone ready.
    mentee = models.ForeignKey(
        "programmes.Participant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="on_demand_rounds",
    )
    # The review's quality summary (`quality.py`), kept so that the review page need not
    # read every proposal on each view: emptied by every change to the round's proposals,
    # unmatched or suggestions, and computed again on the next read. The version counts
    # those changes, so that a summary computed before a change is never stored after it.
    quality = models.JSONField(null=True, blank=True, editable=False)
    quality_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("matching round")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="round_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme} #{self.number}"

    @property
    def is_running(self) -> bool:
        return self.status in {RoundStatus.QUEUED, RoundStatus.RUNNING}

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def is_editable(self) -> bool:
        return self.status == RoundStatus.DONE

    @property
    def order_check_applies(self) -> bool:
        """Whether the round has one result to solve again in another order: proposals
        made in a mode with one answer, not suggestions for mentees to choose among."""
        mode = (self.policy.get("matching") or {}).get("mode", "optimal")
        return self.kind == "proposals" and mode in ORDER_CHECK_MODES

    def earlier_round(self) -> MatchingRound | None:
        """The programme's latest round before this one that came to a result, to compare
        this one with."""
        return (
            MatchingRound.objects.filter(programme_id=self.programme_id, number__lt=self.number)
            .filter(status__in=RESULT_STATUSES)
            .order_by("-number")
            .first()
        )

    @property
    def failure_reason(self) -> str:
        """Why the round failed, in the reader's language."""
        if self.status != RoundStatus.FAILED:
            return ""
        if self.error == UNEXPECTED_FAILURE or not self.error:
            return str(
                _(
                    "Something went wrong while matching, and nothing of this round was "
                    "stored. Start a new round; if that fails too, ask whoever runs "
                    "Mentora to look at the server log."
                )
            )
        return str(_("The matching could not be completed: %(reason)s") % {"reason": self.error})


class Proposal(models.Model):
    """A proposed pair in a round, with the score and the reasons behind it."""

    matching_round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="proposals"
    )
    mentee = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.TextField(blank=True)
    contributions = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    manual = models.BooleanField(_("set by hand"), default=False)
    # The mentee's rank of this mentor in their stated preferences (1 = first), if any.
    preference_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # The pair made when the proposal was published; empty while it is still proposed.
    pair = models.OneToOneField(
        "relationships.Pair", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["matching_round", "mentee"], name="proposal_one_per_mentee"
            )
        ]
        # A page of a large round's review, highest scores first, without sorting the
        # whole round.
        indexes = [
            models.Index(fields=["matching_round", "-score", "id"], name="proposal_review_order"),
            # Whether any of a round's proposals is published yet (the review's "Publish all
            # other pairs"), without reading those that are not, the whole round until then.
            models.Index(
                fields=["matching_round"],
                condition=models.Q(pair__isnull=False),
                name="proposal_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} - {self.mentor}"

    @property
    def is_published(self) -> bool:
        return self.pair_id is not None


class UnmatchedParticipant(models.Model):
    matching_round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="unmatched"
    )
    participant = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="+"
    )
    reason_code = models.CharField(max_length=40)
    reason = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["matching_round", "participant"], name="unmatched_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.reason_code}"


class Suggestion(models.Model):
    """One of the mentors the engine suggests to a mentee who chooses; only they see it."""

    matching_round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="suggestions"
    )
    mentee = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    contributions = models.JSONField(default=list, blank=True)
    # The mentee's own ranking (1 = most wanted); empty until they choose.
    choice_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["matching_round", "mentee", "mentor"], name="suggestion_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentee} - {self.mentor} ({self.rank})"


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for answers")
    ACCEPTED = "accepted", _("Both accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class Answer(models.TextChoices):
    NONE = "", _("No answer yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Introduction(models.Model):
    """Mutual opt-in: a proposed pair introduced to both, who each accept or decline."""

    matching_round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="introductions"
    )
    mentee = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    contributions = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PENDING,
        db_index=True,
    )
    mentee_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    mentor_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    # Private: for the programme manager, never shown to the other person.
    decline_reason = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    pair = models.OneToOneField(
        "relationships.Pair", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["matching_round", "mentee", "mentor"], name="introduction_once"
            ),
            # A mentee has at most one introduction waiting at a time.
            models.UniqueConstraint(
                fields=["matching_round", "mentee"],
                condition=models.Q(status=IntroductionStatus.PENDING),
                name="introduction_one_pending_per_mentee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee} - {self.mentor}"

    def side_of(self, user: object) -> str | None:
        user_id = getattr(user, "pk", None)
        if user_id is not None and self.mentee.user_id == user_id:
            return "mentee"
        if user_id is not None and self.mentor.user_id == user_id:
            return "mentor"
        return None
