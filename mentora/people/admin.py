from django.contrib import admin

from mentora.people.models import OrgUnit, Person


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "organisation"]
    list_filter = ["organisation", "kind"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "employee_id",
        "first_name",
        "last_name",
        "organisation",
        "org_unit",
        "location",
    ]
    list_filter = ["organisation", "location"]
    search_fields = ["employee_id", "first_name", "last_name", "email"]
    raw_id_fields = ["manager", "org_unit", "user"]
