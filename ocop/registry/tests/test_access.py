"""Every registry URL × every persona: who is let in, who is refused, who is told nothing exists.

Each request runs inside a savepoint that is rolled back, so one persona's
successful POST does not change what the next persona meets.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from ocop.registry import actions
from ocop.registry.tests.util import image_bytes, jpeg_bytes, upload
from ocop.testing import PERSONAS, make_evidence

ALL = (*PERSONAS, "anonymous")
LIST_OK = {"admin", "central", "province", "province_other", "commune", "producer_a", "producer_b", "producer_pending"}
# Who may read / change producer A and its records (Xã Lục Ngạn, Bắc Ninh).
READ_A = {"admin", "central", "province", "commune", "producer_a"}
WRITE_A = {"admin", "province", "producer_a"}


def expect_read(ok: int = 200) -> dict[str, int]:
    return {p: (ok if p in READ_A else 404) for p in PERSONAS}


def expect_write(ok: int = 200) -> dict[str, int]:
    return {p: (ok if p in WRITE_A else 403 if p in READ_A else 404) for p in PERSONAS}


def expect_list() -> dict[str, int]:
    return {p: (200 if p in LIST_OK else 403) for p in PERSONAS}


@pytest.fixture
def objects(world):
    photo = actions.add_photo(world.product_a, upload("a.jpg", jpeg_bytes()))
    return {
        "producer": world.producer_a,
        "pending": world.producer_pending,
        "product": world.product_a,
        "photo": photo,
        "evidence": make_evidence(world.producer_a),
    }


def _photo_post():
    return {"image": upload("new.png", image_bytes("PNG"))}


CASES = [
    # (url name, object key or None, method, post data factory, expected by persona)
    ("registry:producer_list", None, "get", None, expect_list()),
    ("registry:product_list", None, "get", None, expect_list()),
    ("registry:evidence_list", None, "get", None, expect_list()),
    ("registry:producer_detail", "producer", "get", None, expect_read()),
    ("registry:producer_edit", "producer", "get", None, expect_write()),
    (
        "registry:producer_create",
        None,
        "get",
        None,
        {p: (200 if p in {"admin", "province", "province_other"} else 403) for p in PERSONAS},
    ),
    (
        "registry:producer_verify",
        "pending",
        "post",
        lambda: {"decision": "verify"},
        {
            "admin": 302,
            "central": 403,
            "province": 302,
            "province_other": 404,
            "commune": 302,
            "council": 404,
            "producer_a": 404,
            "producer_b": 404,
            "producer_pending": 403,
        },
    ),
    ("registry:product_detail", "product", "get", None, expect_read()),
    ("registry:product_edit", "product", "get", None, expect_write()),
    (
        "registry:product_create",
        None,
        "get",
        None,
        {
            p: (200 if p in {"admin", "province", "province_other", "producer_a", "producer_b"} else 403)
            for p in PERSONAS
        },
    ),
    (
        "registry:product_assign_code",
        "product",
        "post",
        lambda: {"year": "2026"},
        {p: (302 if p in {"admin", "province"} else 403 if p in READ_A else 404) for p in PERSONAS},
    ),
    ("registry:photo_upload", "product", "post", _photo_post, expect_write(302)),
    ("registry:photo", "photo", "get", None, expect_read()),
    ("registry:photo_thumb", "photo", "get", None, expect_read()),
    ("registry:photo_delete", "photo", "post", dict, expect_write(302)),
    ("registry:evidence_detail", "evidence", "get", None, expect_read()),
    ("registry:evidence_edit", "evidence", "get", None, expect_write()),
    (
        "registry:evidence_create",
        None,
        "get",
        None,
        {
            p: (200 if p in {"admin", "province", "province_other", "producer_a", "producer_b"} else 403)
            for p in PERSONAS
        },
    ),
    ("registry:evidence_download", "evidence", "get", None, expect_read()),
]


@pytest.mark.parametrize(("name", "key", "method", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_access_table(world, objects, client_for, name, key, method, data, expected):
    url = reverse(name, args=[objects[key].pk]) if key else reverse(name)
    seen = {}
    for persona in ALL:
        client = client_for(persona)
        with transaction.atomic():
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, data() if data else {})
            transaction.set_rollback(True)
        seen[persona] = response.status_code
        if persona == "anonymous":
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"], name
    seen.pop("anonymous")
    assert seen == expected


def test_every_registry_url_is_in_the_table():
    from ocop.registry.urls import urlpatterns

    covered = {case[0].split(":")[1] for case in CASES}
    assert {p.name for p in urlpatterns} == covered


@pytest.mark.parametrize("name", ["registry:producer_verify", "registry:photo_delete", "registry:photo_upload"])
def test_post_only_urls_refuse_get(world, objects, client_for, name):
    key = {"registry:producer_verify": "pending", "registry:photo_delete": "photo", "registry:photo_upload": "product"}
    url = reverse(name, args=[objects[key[name]].pk])
    assert client_for("admin").get(url).status_code == 405


def test_forbidden_page_explains_in_vietnamese(world, client_for):
    response = client_for("producer_pending").get(reverse("registry:product_create"))
    assert response.status_code == 403
    assert "đang chờ" in response.content.decode()
