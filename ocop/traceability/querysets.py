"""Who may see and change lots and trace events.

Scope is the registry's (`ocop.registry.querysets`): a lot is read and
changed by whoever may read and change its producer's records — the producer
itself, the provincial office of its province; the commune officer reads the
lots of its commune, the central office reads all; administrators write.
"""

from __future__ import annotations

from typing import Any

from ocop.registry.querysets import ScopedQuerySet


class LotQuerySet(ScopedQuerySet):
    # The lot carries its producer (copied from the product), so the scope
    # filter is one indexed column or one join to the producer, as for products.
    producer_field = "producer"


class TraceEventQuerySet(ScopedQuerySet):
    producer_field = "lot__producer"


def lot_products(user: Any) -> Any:
    """Products on which `user` may open a new lot: active products of verified producers they keep.

    A lot is what stamps are printed for and what consumers see; a draft or
    discontinued product, or a producer whose registration is not (or no
    longer) verified, gets none.
    """
    from ocop.registry.models import ProducerStatus, Product, ProductStatus

    return Product.objects.editable_by(user).filter(
        status=ProductStatus.ACTIVE, producer__status=ProducerStatus.VERIFIED
    )


def public_lots() -> Any:
    """Lots anyone may read through the public API: those of products with an OCOP certificate in force today.

    The same data a consumer sees when scanning a stamp of the lot; lots of
    products without a valid certificate stay with the producer and the offices.
    """
    from django.db.models import Exists, OuterRef

    from ocop.certificates.models import Certificate
    from ocop.lib import clock
    from ocop.traceability.models import Lot

    in_force = Certificate.objects.filter(product=OuterRef("product")).valid_on(clock.today())
    return Lot.objects.filter(Exists(in_force))
