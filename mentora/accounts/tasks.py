from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from mentora.accounts.models import Membership
from mentora.core.mail import notify_user


@task()
def send_invitation(membership_id: int) -> str:
    """E-mail an invited member, with a link to set a password if they have none."""
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    user = membership.user
    set_password_path = ""
    if not user.has_usable_password():
        set_password_path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    notify_user(
        user=user,
        template="accounts/email/invitation",
        context={"membership": membership, "set_password_path": set_password_path},
        link=set_password_path or reverse("login"),
    )
    return user.email
