"""The platform's settings (read from the environment as always), with the benchmark's URLconf."""

from ocop.settings import *  # noqa: F403

ROOT_URLCONF = "scansite.urls"
