"""Delete refresh tokens that have expired, revoked or not: the table would grow forever.

Revoked tokens stay until they expire: refresh-token reuse detection needs the row of a
revoked token that is presented again. An expired token is refused by its ``exp`` claim
before the table is read, so its row serves nothing.
"""

from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete

from ..features.auth.models import RefreshToken
from ..worker.job import Job, JobArgs, JobContext

logger = structlog.get_logger(__name__)


class PurgeRefreshTokensArgs(JobArgs):
    """No arguments; ``older_than_hours`` keeps tokens expired less than that long."""

    older_than_hours: int = 0


async def purge_refresh_tokens(args: PurgeRefreshTokensArgs, context: JobContext) -> None:
    """Delete every refresh token that expired ``older_than_hours`` ago or earlier."""
    cutoff = datetime.now(UTC) - timedelta(hours=args.older_than_hours)
    result = await context.session.execute(
        delete(RefreshToken)
        .where(RefreshToken.expires_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    logger.info("refresh_tokens_purged", deleted=getattr(result, "rowcount", None))


job = Job(
    name="purge_refresh_tokens",
    args=PurgeRefreshTokensArgs,
    run=purge_refresh_tokens,
    cron="17 3 * * *",
    description="Delete expired refresh tokens (daily at 03:17 UTC).",
)
