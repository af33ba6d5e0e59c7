"""The public home page: language, links for each kind of user, accessible structure."""

from __future__ import annotations

from html.parser import HTMLParser

from django.conf import settings
from django.urls import reverse


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.links: list[str] = []
        self.lang = ""
        self.images_without_alt = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "img" and "alt" not in values:
            self.images_without_alt += 1


def _outline(response) -> _Outline:
    parser = _Outline()
    parser.feed(response.content.decode())
    return parser


def test_home_is_public_and_vietnamese_by_default(client_for):
    response = client_for("anonymous").get(reverse("front:home"))
    assert response.status_code == 200
    page = _outline(response)
    assert page.lang == "vi"
    text = response.content.decode()
    assert "Đăng nhập" in text  # "Log in"
    assert "Cán bộ xã" in text  # "Commune officers"
    assert "Log in" not in text


def test_home_in_english_with_the_language_cookie(client_for):
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("front:home"))
    assert _outline(response).lang == "en"
    text = response.content.decode()
    assert "Commune officers" in text and "Provincial OCOP offices" in text
    assert "Cán bộ xã" not in text


def test_home_explains_each_kind_of_user_with_links(client_for):
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("front:home"))
    text = response.content.decode()
    for role in (
        "Producers",
        "Commune officers",
        "Provincial OCOP offices",
        "Council and advisory team members",
        "Central OCOP office",
        "Consumers",
        "Buyers and distributors",
    ):
        assert f"<h3>{role}" in text, role
    links = _outline(response).links
    assert reverse("accounts:login") in links
    assert reverse("accounts:register") in links


def test_home_points_a_signed_in_user_to_the_dashboard(client_for):
    response = client_for("producer_a").get(reverse("front:home"))
    links = _outline(response).links
    assert reverse("front:dashboard") in links
    assert reverse("accounts:register") not in links


def test_headings_start_at_h1_and_never_skip_a_level(client_for):
    for persona, url in (("anonymous", reverse("front:home")), ("province", reverse("front:dashboard"))):
        page = _outline(client_for(persona).get(url))
        assert page.headings[0] == 1 and page.headings.count(1) == 1, persona
        for previous, current in zip(page.headings, page.headings[1:], strict=False):
            assert current <= previous + 1, (persona, page.headings)
        assert page.images_without_alt == 0


def test_demo_notice_only_in_demo_mode(client_for, settings):
    settings.LANGUAGE_CODE = "en"
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.DEMO_MODE = False
    assert "Demo data" not in client.get(reverse("front:home")).content.decode()
    settings.DEMO_MODE = True
    assert "Demo data" in client.get(reverse("front:home")).content.decode()


def test_home_refuses_post(client_for):
    assert client_for("anonymous").post(reverse("front:home")).status_code == 405


def test_browser_language_does_not_override_vietnamese(db):
    from django.test import Client

    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert 'lang="vi"' in response.content.decode()


def test_language_switch_sets_english(db):
    from django.test import Client

    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert client.get("/")["Content-Language"] == "vi"
