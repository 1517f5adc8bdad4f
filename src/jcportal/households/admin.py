from django.contrib import admin

from .models import Household, Jobcenter, Person, ServiceOffice, Team


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["bg_number", "service_office", "responsible_team", "responsible_caseworker", "active"]
    list_filter = ["service_office", "responsible_team", "active"]
    search_fields = ["bg_number", "members__last_name", "members__first_name"]
    inlines = [PersonInline]


admin.site.register(Jobcenter)
admin.site.register(ServiceOffice)
admin.site.register(Team)
