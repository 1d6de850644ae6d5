"""Operations endpoints: liveness, readiness and metrics."""
