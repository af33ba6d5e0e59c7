import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
application = get_wsgi_application()

# Only web server processes load this module: their SQLite checkpoints run in a background thread.
from ocop.lib.sqlite import serve_checkpoints  # noqa: E402

serve_checkpoints()
