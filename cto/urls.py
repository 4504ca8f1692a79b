from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cto.core import views as core_views
from cto.pricing import views as pricing_views

# The admin signs in through allauth, so it gets the same rate limits and flows as the site.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # documented allauth hook
admin.site.site_header = "cto operations"
admin.site.site_title = "cto"
admin.site.index_title = "Operations"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("intake/", include("cto.intake.urls")),
    path("portal/", include("cto.engagements.urls")),
    path("portal/", include("cto.audits.urls")),
    path("portal/", include("cto.aiplan.urls")),
    path("portal/", include("cto.checklists.urls")),
    path("portal/", include("cto.pricing.urls")),
    path("portal/", include("cto.reports.urls")),
    path("pricing/", pricing_views.pricing_page, name="pricing"),
    path("admin/", admin.site.urls),
]
