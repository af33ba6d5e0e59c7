"""The trade app's settings, each with its default (override in ocop/settings.py or the environment's settings).

TRADE_INQUIRY_IP_LIMIT / TRADE_INQUIRY_IP_WINDOW_SECONDS
    Inquiries accepted from one network (the client address truncated like the scan limits: /24 or /48) in
    the window. Default: 5 an hour.
TRADE_INQUIRY_PRODUCT_LIMIT / TRADE_INQUIRY_PRODUCT_WINDOW_SECONDS
    Inquiries accepted about one product in the window, whoever sends them: a flood never buries a
    producer's inbox. Default: 30 a day.
TRADE_INQUIRY_RETENTION_DAYS
    Days after an inquiry's last activity at which `manage.py purge_inquiries` erases the buyer's personal
    data (contact, message, answers); the counts used by the statistics stay. Default: 730 (two years).
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "TRADE_INQUIRY_IP_LIMIT": 5,
    "TRADE_INQUIRY_IP_WINDOW_SECONDS": 60 * 60,
    "TRADE_INQUIRY_PRODUCT_LIMIT": 30,
    "TRADE_INQUIRY_PRODUCT_WINDOW_SECONDS": 24 * 60 * 60,
    "TRADE_INQUIRY_RETENTION_DAYS": 730,
}


def get(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
