from django.contrib import admin

from .models import Jobcenter, ServiceOffice, Team

# Households and their members are social data: staff open them in the back office (access policy and
# audit log), so they are deliberately not in the admin site. See docs/operations/security.md.
admin.site.register(Jobcenter)
admin.site.register(ServiceOffice)
admin.site.register(Team)
