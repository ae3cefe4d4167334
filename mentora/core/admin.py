from django.contrib import admin
from django.http import HttpRequest

from mentora.core.models import AuditEntry, WorkerHeartbeat


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_email", "action", "object_repr", "organisation"]
    list_filter = ["action"]
    search_fields = ["actor_email", "action", "object_repr"]
    date_hierarchy = "created_at"

    # The audit log is evidence: nobody edits or deletes it, not even a platform admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]
