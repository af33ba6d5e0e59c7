"""The account's API token pages: list, make (the token is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ocop.api import tokens
from ocop.api.forms import TokenForm
from ocop.api.models import ApiToken


def _refused(request: HttpRequest) -> HttpResponse | None:
    # Staff roles must have passed their second factor in this session before touching tokens.
    if tokens.may_use_tokens(request.user, request.user.is_verified()):
        return None
    message = _("Confirm your sign-in with your authenticator app before managing API tokens.")
    return render(request, "registry/forbidden.html", {"message": message, "back": "accounts:security"}, status=403)


def _list(request: HttpRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user),
        "limit": tokens.MAX_TOKENS_PER_USER,
    }
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _refused(request) or _list(request, TokenForm())


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    refused = _refused(request)
    if refused:
        return refused
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            made = tokens.create_token(request.user, form.cleaned_data["name"], expires_at=form.expires_at())
        except tokens.TokenRefused as exc:
            form.add_error(None, exc.message)
        else:
            # Rendered, not redirected: the secret is never stored, not even in the session (and never_cache
            # keeps it out of every cache).
            return render(request, "api/token_created.html", {"token": made.token, "secret": made.secret})
    return _list(request, form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _refused(request)
    if refused:
        return refused
    # Another user's token is "not found": its existence is not revealed.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        tokens.revoke_token(token)
        messages.success(
            request, _("The token “%(name)s” was revoked: it no longer opens the API.") % {"name": token.name}
        )
    return redirect("api_tokens:list")
