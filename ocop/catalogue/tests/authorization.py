"""This app's rows of the global authorization table (tests/test_authorization.py).

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).

The catalogue pages, photos of public products, the counted way out to a shop and the sitemap are public.
"catalogue_link" is a Shopee link of producer A: it keeps its links, and so do the Bắc Ninh office and
administrators; other readers of producer A's records are refused, everyone else is told it does not exist.
Any producer and any provincial office opens its shop-link page (an empty POST: 400). "catalogue_point" is an
OCOP sales point in Xã Lục Ngạn (Bắc Ninh): kept by the Bắc Ninh office (and administrators), read by the
central office; everyone else is told it does not exist.
"""

from __future__ import annotations

from typing import Any

from ocop.testing import table

LINK_KEEPERS = ("admin", "province", "producer_a", "producer_b", "producer_pending", "province_other")
LINK_PAGE = table(403, **dict.fromkeys(LINK_KEEPERS, 200), anonymous="login")
POINT_KEEPERS = table(403, admin=200, province=200, province_other=200, anonymous="login")
POINT_LIST = {**POINT_KEEPERS, "central": 200}
POINT_OBJECT = table(404, admin=200, province=200, central=403, anonymous="login")

CASES: list[tuple[str, str | None, str, dict[str, object]]] = [
    ("catalogue:index", None, "get", table(200)),
    ("catalogue:product", "catalogue_product", "get", table(200)),
    ("catalogue:producer", "catalogue_producer", "get", table(200)),
    ("catalogue:province", "catalogue_province", "get", table(200)),
    ("catalogue:commune", "catalogue_commune", "get", table(200)),
    ("catalogue:photo", "catalogue_photo", "get", table(200)),
    ("catalogue:photo_thumb", "catalogue_photo", "get", table(200)),
    ("catalogue:shop_link_go", "catalogue_link", "get", table(302)),
    ("catalogue:sitemap", None, "get", table(200)),
    ("catalogue:shop_link_list", None, "get", LINK_PAGE),
    ("catalogue:shop_link_list", None, "post", {**LINK_PAGE, **dict.fromkeys(LINK_KEEPERS, 400)}),
    (
        "catalogue:shop_link_delete",
        "catalogue_link",
        "post",
        table(404, admin=302, province=302, producer_a=302, central=403, commune=403, anonymous="login"),
    ),
    ("catalogue:sales_point_list", None, "get", POINT_LIST),
    ("catalogue:sales_point_create", None, "get", POINT_KEEPERS),
    (
        "catalogue:sales_point_create",
        None,
        "post",
        {**POINT_KEEPERS, "admin": 400, "province": 400, "province_other": 400},
    ),
    ("catalogue:sales_point_edit", "catalogue_point", "get", POINT_OBJECT),
    ("catalogue:sales_point_edit", "catalogue_point", "post", {**POINT_OBJECT, "admin": 400, "province": 400}),
    ("catalogue:sales_point_delete", "catalogue_point", "post", {**POINT_OBJECT, "admin": 302, "province": 302}),
    # The catalogue's public API (ocop/catalogue/api.py).
    ("api:catalogue_products", None, "get", table(200)),
    ("api:catalogue_product", "catalogue_product", "get", table(200)),
    ("api:catalogue_producer", "catalogue_producer", "get", table(200)),
]


def objects(world) -> dict[str, Any]:
    from ocop.catalogue.tests.util import authorization_objects

    return authorization_objects(world)
