"""``python -m demo.manage create-admin``, on a database of its own."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from demo.core.config import Settings
from demo.core.database import create_engine, create_sessionmaker
from demo.core.security import Role
from demo.features.users.models import User
from demo.manage import (
    PASSWORD_VARIABLE,
    create_admin,
    main,
    promote_admin,
)
from demo.shared.models import Base

from .conftest import make_settings


@pytest.fixture
async def own_settings(tmp_path: Path) -> Settings:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'manage.sqlite3'}")
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()
    return settings


async def _role_of(settings: Settings, email: str) -> Role | None:
    engine = create_engine(settings)
    async with create_sessionmaker(engine)() as session:
        role = await session.scalar(select(User.role).where(User.email == email))
    await engine.dispose()
    return role


async def test_creates_an_admin(own_settings: Settings) -> None:
    message = await create_admin(own_settings, "Boss@Example.com", "long enough pw")
    assert message == "created admin boss@example.com"
    assert await _role_of(own_settings, "boss@example.com") is Role.ADMIN


async def _add_user(settings: Settings, email: str, password_hash: str) -> None:
    engine = create_engine(settings)
    async with create_sessionmaker(engine)() as session:
        session.add(User(email=email, password_hash=password_hash, is_active=False))
        await session.commit()
    await engine.dispose()


async def _account_of(settings: Settings, email: str) -> tuple[Role, bool, str] | None:
    engine = create_engine(settings)
    async with create_sessionmaker(engine)() as session:
        user = await session.scalar(select(User).where(User.email == email))
        found = None if user is None else (user.role, user.is_active, user.password_hash)
    await engine.dispose()
    return found


async def test_refuses_an_email_that_already_has_an_account(own_settings: Settings) -> None:
    # Someone who registered ops@example.com first must not become admin with their
    # own password when an operator runs create-admin for that address.
    from demo.manage import CommandError

    await _add_user(own_settings, "ops@example.com", "attacker's hash")
    with pytest.raises(CommandError, match=r"already has an account.*--promote"):
        await create_admin(own_settings, "Ops@Example.com", "the operator's password")
    assert await _account_of(own_settings, "ops@example.com") == (
        Role.USER,
        False,
        "attacker's hash",
    )


async def test_promote_keeps_the_password_and_reactivates(own_settings: Settings) -> None:
    await _add_user(own_settings, "ops@example.com", "the existing hash")
    message = await promote_admin(own_settings, "OPS@example.com")
    assert message == "promoted ops@example.com to admin (its password is unchanged)"
    assert await _account_of(own_settings, "ops@example.com") == (
        Role.ADMIN,
        True,
        "the existing hash",
    )


async def test_promote_of_an_unknown_email_is_refused(own_settings: Settings) -> None:
    from demo.manage import CommandError

    with pytest.raises(CommandError, match="no account"):
        await promote_admin(own_settings, "nobody@example.com")


def test_promote_asks_for_no_password(
    own_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(_add_user(own_settings, "ops@example.com", "the existing hash"))
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr("demo.manage._settings", lambda: own_settings)
    assert main(["create-admin", "--promote", "ops@example.com"]) == 0
    assert "promoted ops@example.com" in capsys.readouterr().out


async def test_refuses_a_short_password(own_settings: Settings) -> None:
    from demo.manage import CommandError

    with pytest.raises(CommandError, match="password"):
        await create_admin(own_settings, "boss@example.com", "short")
    assert await _role_of(own_settings, "boss@example.com") is None


def test_without_password_or_terminal_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    assert main(["create-admin", "boss@example.com"]) == 1
    assert PASSWORD_VARIABLE in capsys.readouterr().err


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["drop-everything"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
