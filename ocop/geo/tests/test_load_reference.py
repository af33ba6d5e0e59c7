"""`manage.py load_reference`: loads both maps and the taxonomy, and a second run changes nothing."""

import io

from django.core.management import call_command

from ocop.geo.models import AdminUnit
from ocop.registry.models import ProductSet


def test_load_reference_is_idempotent_and_prints_counts(db):
    AdminUnit.objects.filter(map="current", level="commune", name="Xã Lục Ngạn").update(name="renamed by hand")
    ProductSet.objects.filter(number=26).update(name="renamed by hand")
    before = (AdminUnit.objects.count(), ProductSet.objects.count())
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    assert "current/commune: 3321" in text and "legacy/district: 696" in text
    assert "26 product sets" in text
    # Drift is repaired, nothing is duplicated.
    assert AdminUnit.objects.filter(map="current", name="Xã Lục Ngạn").exists()
    assert not ProductSet.objects.filter(name="renamed by hand").exists()
    assert (AdminUnit.objects.count(), ProductSet.objects.count()) == before
    call_command("load_reference", stdout=io.StringIO())
    assert (AdminUnit.objects.count(), ProductSet.objects.count()) == before
