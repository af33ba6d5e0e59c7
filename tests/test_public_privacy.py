"""No personal data on any public page or public API answer.

Loads the demo, gives every demo producer an e-mail address (the demo has none), then, as an anonymous
visitor, crawls every page reachable from the home page, the catalogue and the sitemap (following links
within the site), every product and producer page, every public API operation the OpenAPI document lists
that answers GET without parameters (plus the catalogue's per-product and per-producer operations, and every
page of the product list), and /open-data/ when it exists. No answer may contain a representative's ID
number, a producer's phone number or e-mail address, or a user's e-mail address (Law 91/2025).
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from ocop.accounts.models import User
from ocop.catalogue.querysets import public_producers, public_products
from ocop.demo import loader
from ocop.registry.models import Producer

pytestmark = pytest.mark.django_db

TEXT_TYPES = ("text/", "application/json", "application/ld+json", "application/xml", "application/linkset+json")
HREF = re.compile(r'href="([^"#]*)')
# Pages reachable by a link that are not pages to read: changing the language, leaving to a shop, files.
SKIP_PREFIXES = ("/i18n/", "/static/", "/media/", "/catalogue/go/", "/catalogue/photos/", "/accounts/logout/")
MAX_PER_PATH = 12  # the same page with other filters or page numbers
MAX_PAGES = 3000


@pytest.fixture
def demo():
    loader.load()
    for producer in Producer.objects.all():
        Producer.objects.filter(pk=producer.pk).update(email=f"chuthe{producer.pk}@example.vn")


def _secrets() -> dict[str, str]:
    found: dict[str, str] = {}
    for producer in Producer.objects.all():
        for field in ("phone", "email", "rep_id_number"):
            value = getattr(producer, field)
            if value and len(value) >= 8:
                found[value] = f"{field} of {producer.name}"
    for user in User.objects.exclude(email=""):
        found[user.email] = f"e-mail of user {user.username}"
    return found


def _api_paths(client: Client) -> list[str]:
    """GET operations of the OpenAPI document that need no parameter."""
    schema = client.get("/api/v1/openapi.json").json()
    paths = []
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path or operation.get("security"):
            continue
        if any(p.get("required") for p in operation.get("parameters", [])):
            continue
        paths.append(path)
    return paths


def test_no_personal_data_on_any_public_answer(demo):
    secrets = _secrets()
    assert len(secrets) > 300  # the demo's producers' phones, ID numbers and e-mails, and its users' e-mails
    client = Client()
    start = [reverse("front:home"), reverse("catalogue:index"), reverse("catalogue:sitemap"), "/open-data/"]
    start += [reverse("catalogue:product", args=[pk]) for pk in public_products().values_list("pk", flat=True)]
    start += [reverse("catalogue:producer", args=[pk]) for pk in public_producers().values_list("pk", flat=True)]
    api = _api_paths(client)
    assert "/api/v1/products" in api
    start += api
    count = client.get("/api/v1/products").json()["count"]
    start += [f"/api/v1/products?page={page}" for page in range(2, count // 20 + 2)]
    start += [f"/api/v1/products/{pk}" for pk in public_products().values_list("pk", flat=True)]
    start += [f"/api/v1/producers/{pk}" for pk in public_producers().values_list("pk", flat=True)]

    queue, seen, per_path = deque(start), set(start), {}
    leaks, visited, statuses = [], 0, {}
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, url
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(TEXT_TYPES) or getattr(response, "streaming", False):
            continue
        text = response.content.decode("utf-8", errors="replace")
        leaks += [(url, label) for secret, label in secrets.items() if secret in text]
        if "html" not in content_type and "xml" not in content_type:
            continue
        for raw in HREF.findall(text) + re.findall(r"<loc>([^<]+)</loc>", text):
            target = urljoin(url, raw.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen or parts.path.startswith(SKIP_PREFIXES):
                continue
            per_path[parts.path] = per_path.get(parts.path, 0) + 1
            if per_path[parts.path] > MAX_PER_PATH:
                continue
            seen.add(link)
            queue.append(link)
    assert not leaks, f"personal data in public answers: {leaks[:10]}"
    # The crawl did reach the catalogue: every public product page and its producer's page at least.
    assert visited > public_products().count() + public_producers().count()
    assert statuses.get(200, 0) > 300
