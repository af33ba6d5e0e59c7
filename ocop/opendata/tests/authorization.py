"""This app's rows of the global authorization table (tests/test_authorization.py), and those of the API
(ocop/api: the versioned REST API beyond the catalogue, and the account's API token pages).

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).

The open data (downloads, DCAT catalogue, licence) and the API's public reads are open to everybody; stamp
verification without a code is invalid input (422). The API's write endpoints take only an API token, never a
browser session: every persona of this table (logged in with a session) is answered 401. Their allow and deny
for every persona, token in hand, are in ocop/api/tests/test_write.py. The token pages belong to each account:
an empty form is refused on the page (400); "api_token" is producer A's token, which nobody else may revoke.
"""

from __future__ import annotations

from typing import Any

from ocop.testing import table

TOKEN_ONLY = table(401)
LOGGED_IN = table(200, anonymous="login")

CASES: list[tuple[str, str | None, str, dict[str, object]]] = [
    ("opendata:index", None, "get", table(200)),
    ("opendata:licence", None, "get", table(200)),
    ("opendata:catalog", None, "get", table(200)),
    ("opendata:download", "opendata_products_csv", "get", table(200)),
    ("opendata:download", "opendata_revocations_json", "get", table(200)),
    ("api:certificate_list", None, "get", table(200)),
    ("api:certificate_detail", "api_certificate_token", "get", table(200)),
    ("api:revocation_list", None, "get", table(200)),
    ("api:stamp_verify", None, "get", table(422)),
    ("api:producer_list", None, "get", TOKEN_ONLY),
    ("api:producer_verify", "api_pending_producer", "post", TOKEN_ONLY),
    ("api:product_create", None, "post", TOKEN_ONLY),
    ("api:product_detail", "api_product", "get", TOKEN_ONLY),
    # Same address as product_detail, answered by method (PATCH).
    ("api:product_update", "api_product", "get", TOKEN_ONLY),
    ("api:lot_create", None, "post", TOKEN_ONLY),
    ("api:lot_detail", "api_lot", "get", TOKEN_ONLY),
    ("api:lot_update", "api_lot", "get", TOKEN_ONLY),
    ("api:batch_create", "api_lot", "post", TOKEN_ONLY),
    ("api:batch_detail", "api_batch", "get", TOKEN_ONLY),
    ("api:batch_activate", "api_batch", "post", TOKEN_ONLY),
    ("api:batch_void", "api_batch", "post", TOKEN_ONLY),
    ("api_tokens:list", None, "get", LOGGED_IN),
    ("api_tokens:create", None, "post", table(400, anonymous="login")),
    ("api_tokens:create", None, "get", table(405, anonymous="login")),
    ("api_tokens:revoke", "api_token", "post", table(404, producer_a=302, anonymous="login")),
]


def objects(world) -> dict[str, Any]:
    from ocop.api.tokens import create_token
    from ocop.certificates.tests.util import make_certificate
    from ocop.stamps.tests.util import make_batch

    certificate = make_certificate(world.product_b, star=4)
    batch = make_batch(world.product_a, count=3)
    return {
        "opendata_products_csv": ("products", "csv"),
        "opendata_revocations_json": ("revocations", "json"),
        "api_certificate_token": (certificate.verify_token,),
        "api_pending_producer": world.producer_pending,
        "api_product": world.product_a,
        "api_lot": batch.lot,
        "api_batch": batch,
        "api_token": create_token(world.user("producer_a"), "authorization table").token,
    }
