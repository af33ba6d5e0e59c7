"""The scope querysets: who sees and who may change which registry records."""

import pytest

from ocop.registry.models import Producer, Product

# persona -> names of the products it may see / change among A, B, C
EXPECTED = {
    "admin": ({"a", "b", "c"}, {"a", "b", "c"}),
    "central": ({"a", "b", "c"}, set()),
    "province": ({"a", "b"}, {"a", "b"}),
    "province_other": ({"c"}, {"c"}),
    "commune": ({"a"}, set()),
    "council": (set(), set()),
    "producer_a": ({"a"}, {"a"}),
    "producer_b": ({"b"}, {"b"}),
    "producer_pending": (set(), set()),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_product_scope(world, persona):
    user = world.user(persona)
    names = {world.product_a.pk: "a", world.product_b.pk: "b", world.product_c.pk: "c"}
    visible = {names[p] for p in Product.objects.for_user(user).values_list("pk", flat=True) if p in names}
    editable = {names[p] for p in Product.objects.editable_by(user).values_list("pk", flat=True) if p in names}
    assert (visible, editable) == EXPECTED[persona]


def test_anonymous_sees_no_registry_records(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Product.objects.for_user(AnonymousUser()).exists()
    assert not Producer.objects.for_user(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(world):
    user = world.user("province")
    user.is_active = False
    assert not Product.objects.for_user(user).exists()


def test_pending_producer_sees_own_record_only(world):
    user = world.user("producer_pending")
    assert list(Producer.objects.for_user(user)) == [world.producer_pending]


def test_commune_officer_verifies_only_its_commune(world):
    officer = world.user("commune")
    assert set(Producer.objects.verifiable_by(officer)) == {world.producer_a, world.producer_pending}
    assert not Producer.objects.verifiable_by(world.user("producer_a")).exists()


ACCEPTING = {
    "admin": {"a", "b", "c", "pending"},
    "central": set(),
    "province": {"a", "b", "pending"},
    "province_other": {"c"},
    "commune": set(),
    "council": set(),
    "producer_a": {"a"},
    "producer_b": {"b"},
    "producer_pending": set(),  # its own, but not verified yet
}


@pytest.mark.parametrize("persona", sorted(ACCEPTING))
def test_who_may_add_products_and_evidence(world, persona):
    names = {
        world.producer_a.pk: "a",
        world.producer_b.pk: "b",
        world.producer_c.pk: "c",
        world.producer_pending.pk: "pending",
    }
    pks = Producer.objects.accepting_records_from(world.user(persona)).values_list("pk", flat=True)
    assert {names[pk] for pk in pks if pk in names} == ACCEPTING[persona]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", {"a", "b", "c"}),
        ("province", {"a", "b"}),
        ("central", set()),
        ("commune", set()),
        ("producer_a", set()),
    ],
)
def test_who_may_assign_product_codes(world, persona, expected):
    names = {world.product_a.pk: "a", world.product_b.pk: "b", world.product_c.pk: "c"}
    pks = Product.objects.codable_by(world.user(persona)).values_list("pk", flat=True)
    assert {names[pk] for pk in pks if pk in names} == expected


def test_photos_follow_their_product(world):
    from ocop.registry.models import ProductPhoto

    photo = ProductPhoto.objects.create(
        product=world.product_a, content_type="image/jpeg", width=1, height=1, size=1, sha256="0" * 64
    )
    for persona, (read, write) in EXPECTED.items():
        user = world.user(persona)
        assert ProductPhoto.objects.for_user(user).filter(pk=photo.pk).exists() == ("a" in read), persona
        assert ProductPhoto.objects.editable_by(user).filter(pk=photo.pk).exists() == ("a" in write), persona


def test_registry_pages_and_producer_entry(world):
    from ocop.registry.querysets import may_browse_registry, may_register_producers, placeable_communes

    assert not may_browse_registry(world.user("council"))
    assert may_browse_registry(world.user("producer_pending"))
    assert {p for p in ("admin", "province", "province_other") if may_register_producers(world.user(p))} == {
        "admin",
        "province",
        "province_other",
    }
    assert not may_register_producers(world.user("commune"))
    province = placeable_communes(world.user("province"))
    assert world.luc_ngan in province and world.hanoi_commune not in province
    own = placeable_communes(world.user("producer_a"), world.producer_a)
    assert world.other_commune in own and world.hanoi_commune not in own
    assert not placeable_communes(world.user("producer_a"), world.producer_b).exists()
    assert world.hanoi_commune in placeable_communes(world.user("admin"), world.producer_a)
