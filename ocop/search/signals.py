"""Keep the search rows current when a product, its producer or a certificate is saved one at a time.

A row also holds what the public catalogue filters by (public or not, the
star in force: ocop/search/models.py), which a certificate's save, revocation
or deletion changes at once; the days that change it later are the daily
job's (ocop.search.tasks.refresh_search_rows).

Bulk writes (`bulk_create`, `QuerySet.update`) send no signals: the code that
uses them calls `ocop.search.reindex(ids)` itself (the demo loader through
ocop/search/demo.py, the import through ocop.imports.importer.apply_plan).
Renaming an administrative unit is not followed: `manage.py rebuild_search_index`.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from ocop.registry.models import Producer, Product


def product_saved(sender: type[Product], instance: Product, raw: bool = False, **kwargs: Any) -> None:
    # raw: loaddata writes rows as they are, related rows may not exist yet.
    if raw:
        return
    from ocop.search.products import reindex

    reindex([instance.pk])


def producer_saved(
    sender: type[Producer], instance: Producer, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    # Its name and places are part of each of its products' rows; a new
    # producer has no products yet.
    if raw or created:
        return
    from ocop.search.products import reindex

    ids = list(Product.objects.filter(producer=instance).values_list("pk", flat=True))
    if ids:
        reindex(ids)


def certificate_saved(
    sender: type[Any], instance: Any, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    from ocop.search.products import catch_up, reindex

    if created:
        # Also the products of certificates written before without a signal, if any.
        catch_up([instance.product_id])
    else:
        reindex([instance.product_id])


def certificate_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    from ocop.search.products import reindex

    reindex([instance.product_id])


def connect() -> None:
    from ocop.certificates.models import Certificate

    post_save.connect(product_saved, sender=Product, dispatch_uid="search.product_saved")
    post_save.connect(producer_saved, sender=Producer, dispatch_uid="search.producer_saved")
    post_save.connect(certificate_saved, sender=Certificate, dispatch_uid="search.certificate_saved")
    post_delete.connect(certificate_deleted, sender=Certificate, dispatch_uid="search.certificate_deleted")
