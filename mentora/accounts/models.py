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


class CalendarFeed(models.Model):
    """A user's private calendar subscription. Only a hash of its token is kept: the link
    is shown once, and a new link replaces (and so revokes) the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class SsoProtocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class SsoLinkClaim(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    EMPLOYEE_ID = "employee_id", _("Employee id")


class IdentityProvider(models.Model):
    """How an organisation's people sign in with their own identity provider.

    Kept per organisation, not in settings, because one installation serves several
    organisations, each with its own provider. The client secret is stored to call the
    token endpoint and never shown back in full.
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="identity_provider",
    )
    enabled = models.BooleanField(_("single sign-on is on"), default=False)
    protocol = models.CharField(
        _("protocol"), max_length=8, choices=SsoProtocol.choices, default=SsoProtocol.OIDC
    )
    # Lower-case domains, one per line: an e-mail address at one of them is offered
    # this provider on the log-in page.
    domains = models.TextField(_("e-mail domains"), blank=True)
    password_login = models.BooleanField(_("password log-in allowed"), default=True)
    link_by = models.CharField(
        _("link people by"), max_length=16, choices=SsoLinkClaim.choices, default="email"
    )
    # The claim (OpenID Connect) or attribute (SAML) that carries the linking value.
    link_claim = models.CharField(_("claim or attribute name"), max_length=200, default="email")
    oidc_issuer = models.URLField(_("issuer"), max_length=500, blank=True)
    oidc_client_id = models.CharField(_("client id"), max_length=200, blank=True)
    oidc_client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    saml_metadata = models.TextField(_("identity provider metadata (XML)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_protocol_display()})"

    @property
    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in self.domains.split() if d.strip()]

    @property
    def secret_hint(self) -> str:
        """Enough of the client secret to recognise it, never the whole of it."""
        if not self.oidc_client_secret:
            return ""
        return (
            "••••" + self.oidc_client_secret[-4:] if len(self.oidc_client_secret) > 11 else "••••"
        )


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def identity_provider_for(email: str) -> IdentityProvider | None:
    """The switched-on identity provider whose domains include the domain of `email`."""
    domain = email_domain(email)
    if not domain:
        return None
    for provider in IdentityProvider.objects.filter(
        enabled=True, domains__icontains=domain
    ).select_related("organisation"):
        if domain in provider.domain_list:
            return provider
    return None


class SsoReplay(models.Model):
    """An assertion id or nonce already used to sign in, kept until it expires, so that
    the same assertion can never sign anyone in twice."""

    key = models.CharField(max_length=300, unique=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


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
