from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are stored lower-case; logins are case-insensitive.
        return self.get(email__iexact=username or "")


# django-otp has no type hints, so the stubs cannot see the devices' relations to users.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person who can log in. The e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Copenhagen")
    is_active = models.BooleanField(_("active"), default=True)
    # Staff and superuser together make a platform admin (Django's admin site).
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.is_active and self.is_superuser)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class Organisation(models.Model):
    """An employer or institution. Cross-organisation programmes involve several."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    # Competitors never take part together in a pair.
    competitors = models.ManyToManyField(
        "self", verbose_name=_("competitors"), blank=True, symmetrical=True
    )
    # HR data may name a manager employed elsewhere (e.g. a group company) only if allowed.
    allow_external_managers = models.BooleanField(
        _("allow managers outside the organisation"), default=False
    )
    # Organisation admins and programme managers must log in with a second factor.
    require_two_factor = models.BooleanField(
        _("require two-factor log-in for administrators and programme managers"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation admin")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    SPONSOR = "sponsor", _("Sponsor")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    LINE_MANAGER = "line_manager", _("Line manager")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(user__is_active=True)


class Membership(models.Model):
    """A user's role in an organisation. A user may hold several roles."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # Gender and similar attributes are shown only to those explicitly trusted with them.
    sees_sensitive_attributes = models.BooleanField(
        _("may see sensitive attributes"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__email", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.organisation}"


class ThrottleEvent(models.Model):
    """One attempt counted by a rate limit (a password-reset request, say), under a keyed
    digest of who made it."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "created_at"], name="throttle_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class RecoveryCodes(Device):
    """A user's recovery codes, as one device of django-otp's: a code logs in once in place
    of the authenticator app. Only keyed digests of the codes are kept."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token: str) -> bool:
        """Use up the code `token`, if it is one of these and not used yet."""
        from mentora.accounts.two_factor import code_digest

        # One conditional update: two requests with the same code cannot both succeed.
        used = self.codes.filter(digest=code_digest(token), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return bool(used)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}: {'used' if self.used_at else 'unused'}"
