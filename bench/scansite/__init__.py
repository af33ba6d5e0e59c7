"""The platform as bench_scan.py serves it with gunicorn: its own settings and URLconf, with one extra,
minimal view to compare the scan page with. Nothing here is part of the product."""
