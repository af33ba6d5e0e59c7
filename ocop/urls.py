from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("ocop.accounts.urls")),
    path("registry/", include("ocop.registry.urls")),
    path("imports/", include("ocop.imports.urls")),
    path("audit/", include("ocop.audit.urls")),
    path("", include("ocop.front.urls")),
]
