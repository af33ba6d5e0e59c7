"""This app's rows of the global authorization table (tests/test_authorization.py).

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).

"trade_product" is producer A's product, certified: anybody may send an inquiry about it (an empty POST is
refused on the page, 400). "trade_inquiry" is an inquiry to producer A: only producer A's accounts read and
answer it; everybody else is told it does not exist — offices included, who never read buyers' contacts.
The inbox is the producers'; the figures are the offices' (counts only). "trade_event" is a published trade
fair organised by the Bắc Ninh office, registration open: anybody reads it, the Bắc Ninh office (and
administrators) change it, producers register (an empty registration: 400). "trade_registration" is producer
A's product registered for it: the organisers decide (an empty decision is sent back with a message).
"""

from __future__ import annotations

from typing import Any

from ocop.testing import table

PRODUCERS = ("producer_a", "producer_b", "producer_pending")
OFFICES = ("admin", "central", "province", "province_other")

INQUIRY_OWNER = table(404, producer_a=200, anonymous="login")
PRODUCERS_ONLY = table(403, **dict.fromkeys(PRODUCERS, 200), anonymous="login")
OFFICES_ONLY = table(403, **dict.fromkeys(OFFICES, 200), anonymous="login")
ORGANISERS = table(403, admin=200, province=200, anonymous="login")
ORGANISER_STEPS = table(403, admin=302, province=302, anonymous="login")

CASES: list[tuple[str, str | None, str, dict[str, object]]] = [
    ("trade:inquiry_new", "trade_product", "get", table(200)),
    ("trade:inquiry_new", "trade_product", "post", table(400)),
    ("trade:inbox", None, "get", PRODUCERS_ONLY),
    ("trade:inquiry_detail", "trade_inquiry", "get", INQUIRY_OWNER),
    ("trade:inquiry_answer", "trade_inquiry", "post", {**INQUIRY_OWNER, "producer_a": 400}),
    ("trade:inquiry_status", "trade_inquiry", "post", {**INQUIRY_OWNER, "producer_a": 302}),
    ("trade:stats", None, "get", OFFICES_ONLY),
    ("trade:event_list", None, "get", table(200)),
    ("trade:event_create", None, "get", OFFICES_ONLY),
    ("trade:event_detail", "trade_event", "get", table(200)),
    ("trade:event_edit", "trade_event", "get", ORGANISERS),
    ("trade:event_publish", "trade_event", "post", ORGANISER_STEPS),
    ("trade:event_cancel", "trade_event", "post", ORGANISER_STEPS),
    ("trade:event_register", "trade_event", "post", table(403, **dict.fromkeys(PRODUCERS, 400), anonymous="login")),
    (
        "trade:registration_decide",
        "trade_registration",
        "post",
        table(404, admin=302, province=302, producer_a=403, anonymous="login"),
    ),
]


def objects(world) -> dict[str, Any]:
    from ocop.trade.tests.util import authorization_objects

    return authorization_objects(world)
