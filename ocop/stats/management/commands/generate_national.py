"""Fill a throw-away database with the national test data set (ocop.stats.national) for the statistics benchmark."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.stats.national import NationalDataError, Scale, generate


class Command(BaseCommand):
    help = (
        "Generate a national-scale test data set (34 provinces, producers, products, certificates, dossiers, "
        "rounds and criterion scores over several years) into an EMPTY, throw-away database. It writes with bulk "
        "inserts that bypass the audit log, so it refuses a database holding registry data unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Scale()
        parser.add_argument("--producers", type=int, default=defaults.producers)
        parser.add_argument("--products", type=int, default=defaults.products)
        parser.add_argument("--dossiers", type=int, default=defaults.dossiers)
        parser.add_argument("--scores", type=int, default=defaults.scores, help="criterion scores (score entries)")
        parser.add_argument("--years", type=int, default=defaults.years, help="years of history, ending this year")
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--force",
            action="store_true",
            help="write even into a database that holds other registry data (never do this on a real registry)",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        for name in ("producers", "products", "dossiers", "scores", "years"):
            if options[name] < (1 if name != "scores" else 0):
                raise CommandError(f"--{name} must be positive")
        scale = Scale(
            producers=options["producers"],
            products=options["products"],
            dossiers=options["dossiers"],
            scores=options["scores"],
            years=options["years"],
            seed=options["seed"],
        )
        start = time.perf_counter()
        try:
            summary = generate(scale, force=force, stdout=self.stdout)
        except NationalDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"done in {time.perf_counter() - start:.1f} s")
