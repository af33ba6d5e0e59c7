"""Create a platform administrator. There are no default credentials."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from ocop.accounts.models import Role, User


class Command(BaseCommand):
    help = (
        "Create a platform administrator. Asks for what is not given; the password comes from a prompt or "
        "from --password-file, never from the command line (it would show in the process list and shell history)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password-file", type=Path, help="file whose first line is the password")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def _ask(self, prompt: str, interactive: bool) -> str:
        if not interactive:
            raise CommandError(f"{prompt} is required with --noinput")
        return input(f"{prompt}: ").strip()

    def handle(self, *args: Any, **options: Any) -> None:
        interactive: bool = options["interactive"]
        username = options["username"] or self._ask("Username", interactive)
        if not username:
            raise CommandError("a username is required")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        email = options["email"] or self._ask("E-mail", interactive)
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"not a valid e-mail address: {email!r}") from exc

        if options["password_file"]:
            try:
                lines = options["password_file"].read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(f"cannot read {options['password_file']}: {exc}") from exc
            password = lines[0] if lines else ""
        elif interactive:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("the two passwords differ")
        else:
            raise CommandError("--password-file is required with --noinput")

        user = User(username=username, email=email, full_name=options["full_name"], role=Role.ADMIN)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = True
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator {username!r} created. At first sign-in they must set up the authenticator app."
            )
        )
