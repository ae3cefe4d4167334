from django.contrib import admin
from django.http import HttpRequest

from mentora.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What the outbox sent, is sending or could not send, for the platform admin. The
    message itself (subject, text, HTML, attachments) is never shown: it is the
    recipient's, and what the mail server thought of it is enough to act on."""

    list_display = [
        "created_at",
        "kind",
        "to_address",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["to_address"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "kind",
        "to_address",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
        "failed_at",
        "cleared_at",
        "message_id",
    )

    # The outbox is written by notifying and emptied by the worker, never by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
