"""Settings from the environment (and a `.env` file, when present)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "tandem-development-secret-change-me-in-production"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Unset: an embedded PostgreSQL is started under `tandem_data_dir`.
    database_url: str | None = None
    tandem_secret: str = DEV_SECRET
    tandem_data_dir: Path = Path(".tandem")
    tandem_graphiql: bool = True
    tandem_introspection: bool = True
    tandem_max_depth: int = Field(default=12, ge=2)
    tandem_max_aliases: int = Field(default=30, ge=1)
    tandem_max_tokens: int = Field(default=5000, ge=100)
    # The most one operation may cost (schema.limits.shape says how a cost is counted), and
    # what each person may spend a minute, per process; 0: no budget per minute.
    tandem_max_cost: int = Field(default=100_000, ge=1)
    tandem_cost_per_minute: int = Field(default=500_000, ge=0)
    tandem_token_hours: int = Field(default=24 * 7, ge=1, le=24 * 366)
    # Above the concurrency a worker usually serves: overflow connections close as soon as they
    # come back, so a steady load above the pool opened and closed connections all the time
    # (16 concurrent writes with a pool of 10: 76 server processes in 4 s; with 20: 16).
    tandem_db_pool_size: int = Field(default=20, ge=1)
    # Seconds (db.engine.Timeouts). A statement blocked by a lock held its connection for 70 s: 40
    # calls hung, then the pool was gone. Statements and lock waits are cut (0: no limit), and so
    # are a call's wait for a pooled connection and the opening of one; each answers TIMEOUT.
    tandem_statement_timeout: float = Field(default=15.0, ge=0)
    tandem_lock_timeout: float = Field(default=5.0, ge=0)
    tandem_db_pool_timeout: float = Field(default=10.0, gt=0)
    tandem_db_connect_timeout: float = Field(default=5.0, gt=0)
    tandem_max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    tandem_ws_max_operations: int = Field(default=50, ge=1)
    tandem_ws_init_timeout: float = Field(default=10.0, gt=0)
    tandem_ws_send_timeout: float = Field(default=10.0, gt=0)
    # Open websockets' people and tokens are re-read this often (besides at once, when the event log
    # says one changed): what catches changes made behind Tandem's back. 0: only the event log.
    tandem_ws_recheck_seconds: float = Field(default=5.0, ge=0)
    # Allows the development secret (or a short one) with an external DATABASE_URL (api.signing_secret).
    tandem_dev_mode: bool = False
    tandem_log_level: str = "INFO"
    # text: one readable line per event; json: one JSON object per line; auto: text on a terminal,
    # JSON anywhere else (files, pipes, log collectors).
    tandem_log_format: Literal["auto", "text", "json"] = "auto"
    # Prometheus metrics at /metrics (api.metrics); with a token, only for `Authorization: Bearer <token>`.
    tandem_metrics: bool = True
    tandem_metrics_token: str = ""
    # Queries whose fields are all SQL-backed run as one SQL statement (schema.compiled); off:
    # every query executes field by field (a switch for comparing and for ruling it out).
    tandem_compiled_reads: bool = True
    # Mutations whose payload selects plain fields run their resolver and complete the payload
    # directly (schema.compiled.mutations); off: graphql-core executes them (same answers).
    tandem_direct_mutations: bool = True
    # Browser portals on other origins: a comma-separated list of origins, or "*".
    tandem_cors_origins: str = ""
    # OpenID Connect sign-in (api.oidc); unset: only `tandem token`'s development tokens.
    tandem_oidc_issuer: str = ""  # comma-separated issuer URLs
    tandem_oidc_audience: str = ""
    tandem_oidc_opaque_issuers: str = ""  # those of the issuers whose opaque tokens are checked with them
    tandem_oidc_client_id: str = ""  # for token introspection (RFC 7662)
    tandem_oidc_client_secret: str = ""
    tandem_oidc_provision: bool = True
    tandem_oidc_roles_claim: str = "groups"
    tandem_oidc_roles: str = ""  # JSON: {"group": "ROLE" or "ROLE:department-slug"}
    tandem_oidc_leeway: int = Field(default=30, ge=0, le=60)
    tandem_oidc_jwks_cooldown: float = Field(default=30.0, ge=0)

    @field_validator("tandem_log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.tandem_cors_origins.split(",") if o.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
