"""``python -m demo.manage create-admin``, on a database of its own."""

from pathlib import Path

import pytest
from sqlalchemy import select

from demo.core.config import Settings
from demo.core.database import create_engine, create_sessionmaker
from demo.core.security import Role
from demo.features.users.models import User
from demo.manage import PASSWORD_VARIABLE, create_admin, main
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


async def test_promotes_an_existing_user(own_settings: Settings) -> None:
    await create_admin(own_settings, "boss@example.com", "long enough pw")
    message = await create_admin(own_settings, "boss@example.com", "another password")
    assert message.startswith("promoted")


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
