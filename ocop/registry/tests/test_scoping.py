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
