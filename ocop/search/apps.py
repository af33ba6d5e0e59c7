"""Vietnamese full-text search over the public catalogue (SQLite FTS5, or a PostgreSQL GIN index of words)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "ocop.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from ocop.search.signals import connect

        connect()
