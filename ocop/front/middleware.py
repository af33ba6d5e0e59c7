from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

# Partner systems call the API without the switcher's cookie: there the Accept-Language header chooses.
API_PREFIX = "/api/"


class LanguageMiddleware:
    """Vietnamese unless the user chose another language with the switcher.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an
    officer whose browser was installed in English would get English pages.
    The programme works in Vietnamese: only the language cookie set by the
    switcher (`set_language`) changes that. The API is the exception: a
    partner system's Accept-Language header chooses the language of its
    messages there (the cookie, when a browser sends one, still comes first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def _accepted(self, request: HttpRequest) -> str | None:
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            base = code.split("-")[0]
            if base in self.supported:
                return base
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        api = request.path_info.startswith(API_PREFIX)
        if chosen not in self.supported:
            chosen = (self._accepted(request) if api else None) or settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", chosen)
        if api:
            patch_vary_headers(response, ("Accept-Language",))
        return response
