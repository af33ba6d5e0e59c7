from django.urls import include, path
from django.views.i18n import set_language

from ocop.api.api import api
from ocop.lib.origin import origin_protected

urlpatterns = [
    # GS1 Digital Link paths (/01/…) and short stamp paths (/s/…) at the root, plus /scans/… pages. First: the
    # stamp pages are the most requested of all, and URL resolution tries the patterns in order.
    path("", include("ocop.scans.urls")),
    # Only a language cookie: protected by the request's origin, so that public pages need no CSRF cookie.
    path("i18n/setlang/", origin_protected(set_language), name="set_language"),
    path("accounts/", include("ocop.accounts.urls")),
    path("accounts/api-tokens/", include("ocop.api.urls")),
    path("registry/", include("ocop.registry.urls")),
    path("imports/", include("ocop.imports.urls")),
    path("audit/", include("ocop.audit.urls")),
    path("certificates/", include("ocop.certificates.urls")),
    path("notifications/", include("ocop.notifications.urls")),
    path("evaluation/", include("ocop.evaluation.urls")),
    path("councils/", include("ocop.councils.urls")),
    path("rules/", include("ocop.rules.urls")),
    path("trace/", include("ocop.traceability.urls")),
    # Under "stamps/", plus the public keys at /.well-known/ (see ocop/stamps/urls.py).
    path("", include("ocop.stamps.urls")),
    path("catalogue/", include("ocop.catalogue.urls")),
    path("trade/", include("ocop.trade.urls")),
    path("open-data/", include("ocop.opendata.urls")),
    path("stats/", include("ocop.stats.urls")),
    path("api/v1/", api.urls),
    path("", include("ocop.front.urls")),
]
