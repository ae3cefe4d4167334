"""Guests: people outside the HR data who take part in one programme, invited by e-mail
or applying through the programme's public link."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_guest_token() -> str:
    return secrets.token_urlsafe(24)


class GuestStatus(models.TextChoices):
    APPLIED = "applied", _("Waiting for approval")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Guest(models.Model):
    """Someone outside the HR data asked into one programme (or asking to come in).

    Approval or an invitation creates their person record (marked external); accepting
    the invitation creates their account, which then has exactly the access of any
    participant of the programme.
    """

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="guests"
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(
        _("role"), max_length=10, choices=[("mentor", _("Mentor")), ("mentee", _("Mentee"))]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(_("status"), max_length=10, choices=GuestStatus.choices)
    token = models.CharField(max_length=40, unique=True, default=new_guest_token)
    person = models.OneToOneField(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="guest"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["-created_at"]
        constraints = [
            # One open request per address and programme.
            models.UniqueConstraint(
                fields=["programme", "email"],
                condition=models.Q(status__in=["applied", "invited"]),
                name="guest_one_open_per_address",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name
