"""List pages: scope, filters on both maps, accent-insensitive search, sorting, pagination, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocop.certificates.models import Certificate
from ocop.geo.models import AdminUnit
from ocop.registry import actions
from ocop.registry.models import Producer, ProducerStatus, Product, ProductCategory, ProductSet
from ocop.testing import make_evidence

PRODUCERS = reverse("registry:producer_list")
PRODUCTS = reverse("registry:product_list")
EVIDENCE = reverse("registry:evidence_list")


def names(response):
    return [obj.name for obj in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"A", "B", "C", "Pending"}),
        ("central", {"A", "B", "C", "Pending"}),
        ("province", {"A", "B", "Pending"}),
        ("province_other", {"C"}),
        ("commune", {"A", "Pending"}),
        ("producer_a", {"A"}),
        ("producer_pending", {"Pending"}),
    ],
)
def test_producer_list_scope(world, client_for, persona, expected):
    response = client_for(persona).get(PRODUCERS)
    assert {n.replace("HTX Persona ", "") for n in names(response)} == expected


def test_search_ignores_accents_and_case(world, client_for):
    actions.create_producer({"name": "Hợp tác xã Vải thiều Lục Ngạn", "kind": "cooperative", "commune": world.luc_ngan})
    actions.create_producer({"name": "Công ty Mỳ Chũ", "kind": "enterprise", "commune": world.luc_ngan})
    client = client_for("province")
    for query in ("vai thieu", "VẢI THIỀU", "luc ngan", "Vải"):
        assert names(client.get(PRODUCERS, {"q": query})) == ["Hợp tác xã Vải thiều Lục Ngạn"], query
    assert names(client.get(PRODUCERS, {"q": "my chu"})) == ["Công ty Mỳ Chũ"]
    # Names starting with the text come before names merely containing it.
    actions.create_producer({"name": "Chũ Xanh", "kind": "farm", "commune": world.luc_ngan})
    assert names(client.get(PRODUCERS, {"q": "chu"})) == ["Chũ Xanh", "Công ty Mỳ Chũ"]
    # Tax code prefix.
    assert names(client.get(PRODUCERS, {"q": "0101245"})) == ["HTX Persona B"]
    # Products: by product or producer name, code.
    assert [p.name for p in client.get(PRODUCTS, {"q": "vai thieu"}).context["page"].object_list] == ["Vải thiều A"]
    assert [p.name for p in client.get(PRODUCTS, {"q": "persona b"}).context["page"].object_list] == ["Na dai B"]


def test_search_stays_within_scope(world, client_for):
    assert names(client_for("producer_b").get(PRODUCERS, {"q": "persona"})) == ["HTX Persona B"]


def test_filters_by_province_commune_kind_status(world, client_for):
    client = client_for("admin")
    assert set(names(client.get(PRODUCERS, {"province": world.ha_noi.pk}))) == {"HTX Persona C"}
    response = client.get(PRODUCERS, {"province": world.bac_ninh.pk, "commune": world.luc_ngan.pk})
    assert set(names(response)) == {"HTX Persona A", "HTX Persona Pending"}
    assert set(names(client.get(PRODUCERS, {"status": "pending"}))) == {"HTX Persona Pending"}
    actions.create_producer({"name": "Trang trại Gà đồi", "kind": "farm", "commune": world.other_commune})
    assert names(client.get(PRODUCERS, {"kind": "farm"})) == ["Trang trại Gà đồi"]
    # A bad filter value is ignored, not an error.
    assert client.get(PRODUCERS, {"province": "abc", "status": "nope"}).status_code == 200


def test_commune_filter_offers_only_communes_of_the_province(world, client_for):
    form = client_for("province").get(PRODUCERS).context["form"]
    communes = form.fields["commune"].queryset
    assert world.luc_ngan in communes and not communes.exclude(province=world.bac_ninh).exists()
    assert "province" not in form.fields  # a provincial office has one province
    assert "commune" not in client_for("admin").get(PRODUCERS).context["form"].fields


def test_filters_on_the_former_map(world, client_for):
    bien_son = AdminUnit.objects.get(map="legacy", level="commune", name="Xã Biên Sơn", parent__name="Huyện Lục Ngạn")
    old = actions.create_producer(
        {"name": "HTX Biên Sơn", "kind": "cooperative", "commune": bien_son}, status=ProducerStatus.VERIFIED
    )
    actions.create_product(old, {"name": "Vải Biên Sơn", "product_set": world.product_a.product_set})
    bac_giang = AdminUnit.objects.get(map="legacy", level="province", name="Bắc Giang")
    luc_ngan_district = AdminUnit.objects.get(map="legacy", level="district", name="Huyện Lục Ngạn")
    client = client_for("province")
    # A legacy record is found by its present-day province...
    assert "HTX Biên Sơn" in names(client.get(PRODUCERS))
    assert "HTX Biên Sơn" in names(client_for("admin").get(PRODUCERS, {"province": world.bac_ninh.pk}))
    # ...and by the former province or district it was registered under.
    assert names(client.get(PRODUCERS, {"legacy_unit": bac_giang.pk})) == ["HTX Biên Sơn"]
    assert names(client.get(PRODUCERS, {"legacy_unit": luc_ngan_district.pk})) == ["HTX Biên Sơn"]
    products = client.get(PRODUCTS, {"legacy_unit": luc_ngan_district.pk}).context["page"].object_list
    assert [p.name for p in products] == ["Vải Biên Sơn"]
    legacy_choices = client.get(PRODUCERS).context["form"].fields["legacy_unit"].queryset
    assert bac_giang in legacy_choices and luc_ngan_district in legacy_choices
    assert not legacy_choices.exclude(successor_province=world.bac_ninh).exists()


def test_filters_by_taxonomy(world, client_for):
    honey = ProductSet.objects.get(number=4)
    actions.create_product(world.producer_b, {"name": "Mật ong rừng", "product_set": honey})
    client = client_for("province")
    assert names(client.get(PRODUCERS, {"product_set": honey.pk})) == ["HTX Persona B"]
    assert names(client.get(PRODUCERS, {"group": honey.group_id})) == ["HTX Persona B"]
    assert set(names(client.get(PRODUCERS, {"category": honey.group.category_id}))) == {
        "HTX Persona A",
        "HTX Persona B",
    }
    products = client.get(PRODUCTS, {"product_set": honey.pk}).context["page"].object_list
    assert [p.name for p in products] == ["Mật ong rừng"]


def test_sorting_is_whitelisted(world, client_for):
    client = client_for("admin")
    ascending = names(client.get(PRODUCERS, {"sort": "name"}))
    assert ascending == sorted(ascending)
    assert names(client.get(PRODUCERS, {"sort": "-name"})) == ascending[::-1]
    assert client.get(PRODUCERS, {"sort": "rep_id_number"}).context["sort"] == "name"
    page = client.get(PRODUCERS, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in page
    products = client.get(PRODUCTS, {"sort": "-stars"})
    assert products.status_code == 200


def _bulk(world, count: int, tag: str) -> None:
    """`count` producers in Bắc Ninh, each with a product, a valid 3★ certificate and a document."""
    fruit = world.product_a.product_set
    today = timezone.localdate()
    for i in range(count):
        producer = Producer.objects.create(
            name=f"HTX {tag} {i:03d}", kind="cooperative", commune=world.other_commune, status=ProducerStatus.VERIFIED
        )
        product = Product.objects.create(producer=producer, name=f"Sản phẩm {tag} {i:03d}", product_set=fruit)
        Certificate.objects.create(
            product=product, star=3, issued_on=today - dt.timedelta(days=5), expires_on=today + dt.timedelta(days=900)
        )
        make_evidence(producer, f"Tài liệu {tag} {i:03d}")


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in captured if "registry_" in q["sql"] or "certificates_" in q["sql"]]


@pytest.mark.parametrize(
    ("url", "params", "pinned"),
    [
        # count + page + the three taxonomy selects of the filter form
        (PRODUCERS, {}, 5),
        # ... + one to validate the chosen category
        (PRODUCERS, {"q": "htx", "category": "food", "sort": "-products"}, 6),
        # ... + "may this user add products?"
        (PRODUCTS, {}, 6),
        (PRODUCTS, {"q": "san pham", "sort": "-stars"}, 6),
        # count + page + "may this user add evidence?"
        (EVIDENCE, {}, 3),
    ],
)
def test_list_query_count_does_not_grow_with_rows(world, client_for, url, params, pinned):
    client = client_for("province")
    if params.get("category") == "food":
        params = {**params, "category": ProductCategory.objects.get(number=1).pk}
    _bulk(world, 3, "a")
    small, small_sql = _queries(client, url, params)
    _bulk(world, 30, "b")
    large, large_sql = _queries(client, url, params)
    assert len(large.context["page"].object_list) > len(small.context["page"].object_list)
    assert len(large_sql) == len(small_sql) == pinned, "\n".join(large_sql)


def test_pagination_25_per_page(world, client_for):
    fruit = world.product_a.product_set
    for i in range(30):
        producer = Producer.objects.create(name=f"Z HTX {i:02d}", kind="farm", commune=world.luc_ngan)
        Product.objects.create(producer=producer, name=f"Z {i:02d}", product_set=fruit)
    client = client_for("province")
    first = client.get(PRODUCERS)
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.count == 33
    second = client.get(PRODUCERS, {"page": 2, "status": "pending"})
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 6  # 30 new + the persona pending, all pending
    assert "status=pending" in second.content.decode()  # page links keep the filters
