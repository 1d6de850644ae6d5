"""Request and response bodies of the auth feature."""

from typing import Literal

from pydantic import Field

from ...shared.schemas import AppSchema, VerbatimStr


class TokenPair(AppSchema):
    """An access token for requests and a refresh token to get the next pair."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = Field(default="bearer")
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(AppSchema):
    """A refresh token, to exchange or to revoke."""

    refresh_token: VerbatimStr = Field(min_length=1, max_length=4096)
