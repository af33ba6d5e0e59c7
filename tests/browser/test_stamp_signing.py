"""A producer issues a batch of signed stamps from the lot's stamp page and activates it; the browser
verifies a stamp's signature with WebCrypto Ed25519 against the published keys, and refuses a code with
one changed character."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocop.stamps import actions
from ocop.stamps.models import StampBatch, StampState
from ocop.stamps.tests.util import certified_lot
from tests.browser.helpers import log_in, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_signed_batch_verifies_in_the_browser(page, world):
    lot = certified_lot(world.product_a, quantity=20)
    log_in(page, "persona_producer_a")
    page.goto(reverse("stamps:batch_create", args=[lot.pk]))
    page.fill("#id_count", "21")
    page.check("#id_signed")
    submit(page, "#id_count")
    page.wait_for_url("**/stamps/*/")
    batch = StampBatch.objects.get()
    assert batch.signed and batch.stamps.count() == 21
    page.get_by_role("button", name="Kích hoạt tem").click()
    page.wait_for_url(f"**{batch.get_absolute_url()}")
    assert set(batch.stamps.values_list("state", flat=True)) == {StampState.ACTIVATED}

    uri = next(actions.printed_stamps(batch)).uri
    forged = uri[:-1] + ("0" if uri[-1] != "0" else "1")
    page.goto(reverse("stamps:public_keys"))
    page.add_script_tag(url="/static/stamps/verify.js")
    script = """async ([code, url]) => {
        const keys = await OcopStamp.fetchKeys(url);
        return (await OcopStamp.verify(code, keys)).reason;
    }"""
    keys_url = reverse("stamps:public_keys")
    assert page.evaluate(script, [uri, keys_url]) == "valid"
    assert page.evaluate(script, [uri.lower(), keys_url]) == "valid"
    assert page.evaluate(script, [forged, keys_url]) == "bad_signature"
    assert page.evaluate(script, [uri.split("/K/")[0], keys_url]) == "unsigned"
    assert page.evaluate(script, ["not a stamp", keys_url]) == "malformed"
