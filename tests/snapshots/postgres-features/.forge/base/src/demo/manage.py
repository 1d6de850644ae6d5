"""Administrative commands, run next to the service.

    python -m demo.manage create-admin admin@example.com

The password is read from ``DEMO_ADMIN_PASSWORD`` or asked for twice on a terminal.
An existing user with that email is promoted to admin (and reactivated) instead.
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
    """Create an admin, or promote the existing user; return what was done."""
    try:
        data = UserCreate(email=email, password=password)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
        raise CommandError(problems) from None
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            users = UserRepository(session)
            user = await users.get_by_email(data.email)
            if user is not None:
                await users.update(user, {"role": Role.ADMIN, "is_active": True})
                return f"promoted {user.email} to admin"
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
    admin = commands.add_parser("create-admin", help="create or promote an administrator")
    admin.add_argument("email")
    args = parser.parse_args(argv)
    try:
        password = _read_password()
        message = asyncio.run(create_admin(_settings(), args.email, password))
    except CommandError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(message + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
