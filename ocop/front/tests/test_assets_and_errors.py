"""Static assets are served by the application itself; no page reaches out to another site; error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

import ocop

OCOP_DIR = Path(ocop.__file__).parent
TEXT_SUFFIXES = {".html", ".txt", ".css", ".js", ".svg", ".json", ".xml", ".webmanifest"}
# XML namespace names look like URLs but are never fetched.
NAMESPACE = re.compile(
    r"""xmlns(?::\w+)?=["'](?:http://www\.w3\.org/|http://www\.sitemaps\.org/schemas/sitemap/)[^"']*["']"""
)
EXTERNAL = re.compile(r"""https?://|(?:src|href|action|srcset)\s*=\s*["']//|url\(\s*["']?//|@import\s+["']//""", re.I)


def _project_files(folder: str) -> list[Path]:
    return [
        path for path in OCOP_DIR.glob(f"*/{folder}/**/*") if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES
    ]


def test_no_template_or_static_file_refers_to_another_site():
    files = _project_files("templates") + _project_files("static")
    assert any(p.name == "base.html" for p in files) and any(p.name == "ocop.css" for p in files)
    offenders = []
    for path in files:
        text = NAMESPACE.sub("", path.read_text(encoding="utf-8", errors="replace"))
        for match in EXTERNAL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(OCOP_DIR)}:{line}")
    assert not offenders, "external URLs (CDN, fonts, scripts) are not allowed: " + ", ".join(offenders)


def test_the_external_url_check_catches_a_cdn():
    assert EXTERNAL.search('<script src="https://static.example.org/x.js"></script>')
    assert EXTERNAL.search('<link href="//fonts.example.org/css">')
    assert EXTERNAL.search("src: url(//fonts.example.org/a.woff2)")
    assert not EXTERNAL.search(NAMESPACE.sub("", '<svg xmlns="http://www.w3.org/2000/svg"></svg>'))


@pytest.fixture
def collected(settings, tmp_path):
    # Served the way production serves them: collected, then handed out by WhiteNoise.
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def test_every_asset_of_base_html_is_served_by_the_app(collected, client_for):
    client = client_for("province")  # the signed-in menu of base.html, the fullest one
    page = client.get(reverse("front:dashboard")).content.decode()
    assets = set(re.findall(rf'(?:href|src)="({re.escape(settings.STATIC_URL)}[^"]+)"', page))
    assert f"{settings.STATIC_URL}ocop/ocop.css" in assets
    assert f"{settings.STATIC_URL}ocop/favicon.svg" in assets
    fresh = Client()  # a client created after collectstatic, so WhiteNoise sees the files
    for url in assets:
        response = fresh.get(url)
        assert response.status_code == 200, url
        response.close()
    # The style sheet's own references (the fonts) are served too.
    css = b"".join(fresh.get(f"{settings.STATIC_URL}ocop/ocop.css").streaming_content).decode()
    fonts = re.findall(r"""url\(["']?([^"')]+)["']?\)""", css)
    assert "fonts/DejaVuSans.ttf" in fonts
    for ref in fonts:
        response = fresh.get(f"{settings.STATIC_URL}ocop/{ref}")
        assert response.status_code == 200, ref
        response.close()


def test_font_licence_ships_with_the_font():
    fonts = OCOP_DIR / "front" / "static" / "ocop" / "fonts"
    assert (fonts / "DejaVuSans.ttf").exists()
    assert "Bitstream" in (fonts / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")


def test_404_page_in_the_site_layout(client_for):
    response = client_for("anonymous").get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "404" in text and 'lang="vi"' in text and reverse("front:home") in text


def test_403_page_in_the_site_layout(client_for):
    # The audit log is for administrators only.
    response = client_for("producer_a").get(reverse("audit:list"))
    assert response.status_code == 403
    assert "403" in response.content.decode()


def test_500_page_renders_without_a_request_context():
    template = engines["django"].get_template("500.html")
    html = template.render({})  # what django.views.defaults.server_error does
    assert "500" in html and "/static/ocop/ocop.css" in html
    assert "{%" not in html


def test_500_handler_answers_with_the_page(rf: RequestFactory):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"ocop.css" in response.content
