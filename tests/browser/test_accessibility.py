"""Basic accessibility of the main pages, checked in a real browser.

Every form control has a label (or an aria-label), every image a text
alternative, the page declares its language, has one <h1>, a skip link to the
main content, and keyboard focus is visible.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
  .filter(el => !(el.labels && el.labels.length))
  .filter(el => !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))
"""
IMAGES_WITHOUT_ALT = "() => Array.from(document.images).filter(i => !i.hasAttribute('alt')).map(i => i.src)"


def _check(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert page.evaluate(UNLABELLED_CONTROLS) == [], path
    assert page.evaluate(IMAGES_WITHOUT_ALT) == [], path
    assert page.evaluate("document.documentElement.lang") == "vi", path
    assert page.locator("h1").count() == 1, path
    assert page.locator('a.skip[href="#main"]').count() == 1, path


def test_public_pages(page, world):
    for path in (reverse("front:home"), reverse("accounts:login"), reverse("accounts:register")):
        _check(page, path)


def test_officer_pages(page, world):
    log_in(page, "persona_province")
    for name in ("front:dashboard", "registry:producer_list", "registry:product_list", "imports:upload"):
        _check(page, reverse(name))
    _check(page, reverse("registry:product_detail", args=[world.product_a.pk]))
    _check(page, reverse("registry:producer_edit", args=[world.producer_a.pk]))


def test_keyboard_reaches_the_main_content_first(page, world):
    page.goto(reverse("front:home"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
