"""Administrative commands, run next to the service.

    python -m demo.manage create-admin admin@example.com

The password is read from ``DEMO_ADMIN_PASSWORD``,
or asked for twice on a terminal.
An email that already has an account is refused: whoever registered it knows its password.
To make that account an admin (and reactivate it) on purpose, keeping its password:

    python -m demo.manage create-admin --promote admin@example.com
"""

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from .core.config import ENV_PREFIX, Settings, load_settings
from .core.database import create_engine, create_sessionmaker, session_scope
from .core.security import PasswordHasher, Role
from .features.users.models import User
from .features.users.repository import UserRepository, normalize_email
from .features.users.schemas import UserCreate

PASSWORD_VARIABLE = f"{ENV_PREFIX}ADMIN_PASSWORD"


class CommandError(Exception):
    """A problem to report in one line, with a non-zero exit status."""


async def create_admin(settings: Settings, email: str, password: str) -> str:
    """Create an admin account; refused if the email already has an account."""
    try:
        data = UserCreate(email=email, password=password)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        raise CommandError(problems) from None
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            users = UserRepository(session)
            if await users.get_by_email(data.email) is not None:
                msg = (
                    f"{normalize_email(data.email)} already has an account, whose password "
                    "someone else may know; nothing was changed. To make it an admin anyway, "
                    "keeping its password, run create-admin --promote EMAIL"
                )
                raise CommandError(msg)
            hasher = PasswordHasher(settings)
            user = User(
                email=normalize_email(data.email),
                password_hash=await hasher.hash(data.password),
                role=Role.ADMIN,
            )
            await users.add(user)
            return f"created admin {user.email}"
    finally:
        await engine.dispose()


async def promote_admin(settings: Settings, email: str) -> str:
    """Make an existing account an admin and reactivate it; its password is kept."""
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            users = UserRepository(session)
            user = await users.get_by_email(email)
            if user is None:
                msg = (
                    f"no account has the email {normalize_email(email)}; "
                    "create-admin without --promote creates one"
                )
                raise CommandError(msg)
            await users.update(user, {"role": Role.ADMIN, "is_active": True})
            return f"promoted {user.email} to admin (its password is unchanged)"
    finally:
        await engine.dispose()


def _settings() -> Settings:
    try:
        return load_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        msg = f"invalid settings ({problems}); see .env.example"
        raise CommandError(msg) from None


def _read_password() -> str:
    if password := os.environ.get(PASSWORD_VARIABLE):
        return password
    if not sys.stdin.isatty():
        msg = f"no password: set {PASSWORD_VARIABLE} or run on a terminal"
        raise CommandError(msg)
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        msg = "the passwords differ"
        raise CommandError(msg)
    return password


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m demo.manage``."""
    parser = argparse.ArgumentParser(prog="python -m demo.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create (or --promote) an administrator")
    admin.add_argument("email")
    admin.add_argument(
        "--promote",
        action="store_true",
        help="make the existing account with this email an admin; asks for no password",
    )
    args = parser.parse_args(argv)
    try:
        if args.promote:
            message = asyncio.run(promote_admin(_settings(), args.email))
        else:
            password = _read_password()
            message = asyncio.run(create_admin(_settings(), args.email, password))
    except CommandError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(message + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
