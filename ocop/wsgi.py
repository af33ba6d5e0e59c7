import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
application = get_wsgi_application()

# Only web server processes load this module: their SQLite checkpoints run in a background thread.
from ocop.lib.sqlite import serve_checkpoints  # noqa: E402

serve_checkpoints()

# The URL patterns (and with them every view module) loaded now rather than by the first request; then what
# the process has loaded lives as long as it does: the cyclic garbage collector need not walk it again on
# every collection a request triggers.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.freeze()
