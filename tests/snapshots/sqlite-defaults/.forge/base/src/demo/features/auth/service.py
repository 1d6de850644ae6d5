"""Login, password changes, token rotation and revocation."""

from ...core.rate_limit import AccountLimit
from ...core.security import PasswordHasher, TokenService, TokenType
from ...shared.models import utcnow
from ..users.models import User
from ..users.repository import UserRepository, normalize_email
from .exceptions import (
    InactiveUserError,
    InvalidCredentialsError,
    InvalidRefreshTokenError,
    RefreshTokenReusedError,
    UnchangedPasswordError,
    WrongCurrentPasswordError,
)
from .models import RefreshToken
from .repository import RefreshTokenRepository
from .schemas import TokenPair


class AuthService:
    """Turns credentials into token pairs, rotates refresh tokens and revokes them."""

    def __init__(
        self,
        users: UserRepository,
        refresh_tokens: RefreshTokenRepository,
        hasher: PasswordHasher,
        tokens: TokenService,
        failed_logins: AccountLimit,
    ) -> None:
        self.users = users
        self.refresh_tokens = refresh_tokens
        self.hasher = hasher
        self.tokens = tokens
        self.failed_logins = failed_logins

    async def login(self, email: str, password: str) -> TokenPair:
        """Check the credentials and issue a token pair.

        Failed attempts are counted per account (besides the per-address limit on the
        route): once an account's limit is used up, its logins answer 429 without a
        password check until the window moves on, whichever address they come from.
        """
        email = normalize_email(email)
        await self.failed_logins.check(email)
        user = await self.users.get_by_email(email)
        valid = await self.hasher.verify(password, user.password_hash if user else None)
        if user is None or not valid:
            await self.failed_logins.hit(email)
            raise InvalidCredentialsError
        if not user.is_active:
            raise InactiveUserError
        return await self._issue_pair(user)

    async def change_password(self, user: User, current: str, new: str) -> TokenPair:
        """Set a new password, given the current one, and end every other session.

        Every refresh token of the user is revoked; the caller gets a fresh pair. Access
        tokens already issued stay valid until they expire (minutes).
        """
        if not await self.hasher.verify(current, user.password_hash):
            raise WrongCurrentPasswordError
        if new == current:
            raise UnchangedPasswordError
        await self.users.update(user, {"password_hash": await self.hasher.hash(new)})
        await self.refresh_tokens.revoke_all_for_user(user.id, utcnow())
        return await self._issue_pair(user)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Exchange a live refresh token for a new pair; the old one is revoked.

        Presenting a token that was already revoked means it leaked (or was replayed):
        every refresh token of that user is revoked, ending all their sessions.
        """
        claims = self.tokens.verify(refresh_token, TokenType.REFRESH)
        stored = await self.refresh_tokens.get(claims.token_id)
        if stored is None or stored.user_id != claims.subject:
            raise InvalidRefreshTokenError
        now = utcnow()
        if stored.revoked_at is not None:
            await self.refresh_tokens.revoke_all_for_user(stored.user_id, now)
            raise RefreshTokenReusedError
        if stored.expires_at <= now:
            raise InvalidRefreshTokenError
        user = await self.users.get(stored.user_id)
        if user is None:
            raise InvalidRefreshTokenError
        if not user.is_active:
            raise InactiveUserError
        if not await self.refresh_tokens.revoke(stored.id, now):
            # Another request rotated this token in the meantime: a replay, as above.
            await self.refresh_tokens.revoke_all_for_user(stored.user_id, now)
            raise RefreshTokenReusedError
        return await self._issue_pair(user)

    async def logout(self, refresh_token: str) -> None:
        """Revoke a refresh token. Revoking an already revoked token is not an error."""
        claims = self.tokens.verify(refresh_token, TokenType.REFRESH)
        stored = await self.refresh_tokens.get(claims.token_id)
        if stored is None or stored.user_id != claims.subject:
            raise InvalidRefreshTokenError
        if stored.revoked_at is None:
            await self.refresh_tokens.revoke(stored.id, utcnow())

    async def _issue_pair(self, user: User) -> TokenPair:
        access = self.tokens.issue(user.id, user.role, TokenType.ACCESS)
        refresh = self.tokens.issue(user.id, user.role, TokenType.REFRESH)
        await self.refresh_tokens.add(
            RefreshToken(id=refresh.token_id, user_id=user.id, expires_at=refresh.expires_at)
        )
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh.token,
            expires_in=int(self.tokens.access_ttl.total_seconds()),
        )
