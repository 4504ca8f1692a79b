from types import ModuleType

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import URLResolver, include, path
from django.utils.functional import lazy

from cto.brand.selectors import brand_current
from cto.checklists import urls as checklist_urls
from cto.core import views as core_views
from cto.pricing import urls as pricing_urls
from cto.pricing import views as pricing_views
from cto.reports import views as report_views

# The admin signs in through allauth, so it gets the same rate limits and flows as the site.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # documented allauth hook
# The practice's name, read when each admin page renders (the brand can change at any time).
admin.site.site_header = lazy(lambda: f"{brand_current().name} operations", str)()
admin.site.site_title = lazy(lambda: brand_current().name, str)()
admin.site.index_title = "Operations"

# A database outage answers 503 ("try again in a minute"), anything else a plain 500 page.
handler500 = "cto.core.views.server_error"


def portal_and_ops(urls: ModuleType) -> URLResolver:
    """An app whose client pages live under /portal/ and operator pages under /ops/, in one
    namespace so that its URL names do not change with where a page is mounted."""
    both = [path("portal/", include(urls.urlpatterns)), path("ops/", include(urls.ops_urlpatterns))]
    return path("", include((both, urls.app_name)))


urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("brand/", include("cto.brand.urls")),
    # The prospect's own intake summary, found through their intake cookie (no account needed).
    path("intake/summary/", report_views.intake_summary_card, name="intake_summary"),
    path(
        "intake/summary.pdf", report_views.intake_summary_download, name="intake_summary_download"
    ),
    path("intake/", include("cto.intake.urls")),
    path("portal/", include("cto.engagements.urls")),
    path("portal/", include("cto.audits.urls")),
    path("portal/", include("cto.aiplan.urls")),
    path("portal/", include("cto.receipts.urls")),
    portal_and_ops(checklist_urls),
    portal_and_ops(pricing_urls),
    path("portal/", include("cto.reports.urls")),
    path("ops/", include("cto.ops.urls")),
    path("portal/", include("cto.users.urls")),
    path("portal/", include("cto.api.urls")),
    path("portal/", include("cto.webhooks.urls")),
    path("api/v1/", include("cto.api.v1.urls")),
    path("mcp/", include("cto.mcp.urls")),
    path("pricing/", pricing_views.pricing_page, name="pricing"),
    path("admin/", admin.site.urls),
]
