"""PostgreSQL's connect, statement and lock timeouts (light: the settings import it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PostgresTimeouts:
    """How long the bot waits for PostgreSQL before giving up, so that a hung database fails a
    request (and the user is told) instead of holding a listener thread for ever."""

    connect_seconds: int = 10
    statement_ms: int = 30_000
    lock_ms: int = 10_000

    def connect_args(self, url_options: str | tuple[str, ...] | None = None) -> dict[str, Any]:
        """psycopg connect arguments; `options` from the URL (a search_path, say) are kept."""
        given = (url_options,) if isinstance(url_options, str) else tuple(url_options or ())
        ours = f"-c statement_timeout={self.statement_ms} -c lock_timeout={self.lock_ms}"
        return {"connect_timeout": self.connect_seconds, "options": " ".join((*given, ours))}
