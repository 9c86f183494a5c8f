"""Settings, read from the environment (``PARCELGUARD_*``) and passed in explicitly.

There is no module-level instance: bootstrap, the web app factory and the CLI build one and hand it down.
Outside ``dev`` the settings refuse defaults that would be insecure in production.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parcelguard.domain.witness import WitnessEntry, parse_witness_list
from parcelguard.errors import ConfigurationError, ErrorCode

_PREFIX_PATTERN = re.compile(r"^[A-Z]{2,4}$")


class Settings(BaseSettings):
    """Everything ParcelGuard needs to know about its deployment."""

    model_config = SettingsConfigDict(env_prefix="PARCELGUARD_", extra="ignore")

    environment: Literal["dev", "test", "prod"] = "dev"
    home: Path = Field(default=Path("var"), description="data directory: SQLite file and key file")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    key_file: Path | None = Field(default=None, description="key file; default home/keys.json")
    carrier_name: str = "ParcelGuard Express"
    carrier_prefix: str = "PG"
    host: str = "127.0.0.1"
    port: int = 8000
    track_rate_per_minute: int = Field(default=30, ge=1)
    track_burst: int = Field(default=10, ge=1)
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        description="largest request body the API reads (413 request_too_large above it), chunked or not",
    )
    track_verify_max_failures: int = Field(
        default=5, ge=1, description="wrong last-4 guesses per tracking number before it locks"
    )
    track_verify_lockout_s: int = Field(
        default=3600, ge=1, description="seconds a tracking number refuses verification once locked"
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (none)",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="redis://host:6379/0 shared by every worker for rate limits; default in-process",
    )
    bootstrap_admin_key: SecretStr | None = None
    # people (issue 10): sign-in throttling and credential lifetimes
    login_max_failures: int = Field(
        default=5, ge=1, description="failed sign-ins of one account within the window before it locks"
    )
    login_client_max_failures: int = Field(
        default=20,
        ge=1,
        description="failed sign-ins from one client address within the window before it locks",
    )
    login_window_s: int = Field(default=900, ge=1, description="seconds over which failed sign-ins count")
    login_lockout_s: int = Field(default=900, ge=1, description="seconds an account or client stays locked")
    access_token_ttl_s: int = Field(
        default=900, ge=60, le=86400, description="lifetime of a bearer token from POST /v1/auth/token"
    )
    session_ttl_s: int = Field(default=28800, ge=300, le=604800, description="lifetime of a page session")
    # controlled reveal (issue 10)
    reveal_grace_hours: float = Field(
        default=24, ge=0, le=24 * 30, description="hours after delivery a courier still sees the address"
    )
    reveal_daily_quota: int = Field(
        default=20, ge=0, description="reveals a customer-service agent makes a day before break-glass"
    )
    reveal_daily_ceiling: int = Field(
        default=200,
        ge=0,
        description="reveals anyone makes a day, approvals included; beyond: refused, alert",
    )
    reveal_notice_bulk_threshold: int = Field(
        default=10,
        ge=1,
        description="requests a day by a person with an offboarding date that raise an alert",
    )
    reveal_daily_request_ceiling: int = Field(
        default=1000,
        ge=1,
        description="anyone's requests a day (reveals, refusals, searches); beyond: searches refused, alert",
    )
    # access transparency for customers (issue 11)
    notifier: Literal["console", "memory"] = Field(
        default="console",
        description="where customers' one-time codes go: console (printed, mobile masked) or memory (tests)",
    )
    access_rate_per_minute: int = Field(
        default=10, ge=1, description="customers' code requests and tries per client a minute (/access)"
    )
    access_burst: int = Field(default=5, ge=1, description="of which at once")
    access_codes_per_parcel: int = Field(
        default=5, ge=1, description="one-time codes asked for one tracking number within the window"
    )
    access_code_window_s: int = Field(
        default=3600, ge=60, description="seconds over which codes per tracking number count"
    )
    access_pass_ttl_s: int = Field(
        default=900, ge=60, le=3600, description="lifetime of the view a verified code opens"
    )
    # virtual numbers (issue 12)
    vnum_grace_hours: float = Field(
        default=72, ge=0, le=24 * 30, description="hours a delivered or returned parcel's number still works"
    )
    vnum_cooldown_hours: float = Field(
        default=24, ge=0, le=24 * 90, description="hours a number rests after its last binding before reuse"
    )
    vnum_dispatch_model: Literal["axb", "axe", "axn", "none"] = Field(
        default="axb", description="the binding dispatch makes when the pool has numbers (none: only by hand)"
    )
    vnum_number_prefixes: str = Field(
        default="",
        description="masking ranges the carrier holds besides MIIT's virtual segments (162, 165, 167, 170, "
        "171), comma-separated, each 3 to 11 digits starting with 1 (e.g. 1380013): what pools may hold",
    )
    vnum_provider: Literal["sip", "cloud"] = Field(
        default="sip", description="who carries calls: our SIP server (Kamailio asks us) or a cloud API"
    )
    vnum_cloud_endpoint: str | None = Field(default=None, description="the cloud provider's API endpoint")
    vnum_cloud_access_key_id: str | None = None
    vnum_cloud_access_key_secret: SecretStr | None = None
    vnum_cloud_pool_key: str | None = Field(default=None, description="the cloud provider's number pool key")
    # the audit log's witnesses (docs/audit-log.md, "Witnesses"): parties other than the carrier
    witnesses: str = Field(
        default="",
        description="comma-separated witness cosigner verifier keys (C2SP note verifier keys, type 0x04, as "
        "`parcelguard audit witness init` prints them), each optionally followed by @<add-checkpoint URL> "
        "for the sequencer to submit checkpoints to",
    )
    witness_quorum: int = Field(
        default=0, ge=0, description="witness cosignatures `parcelguard audit verify` requires by default"
    )
    sequencer_every_s: float = Field(
        default=10.0, ge=0.1, le=3600, description="seconds between ticks of serve's audit log sequencer"
    )

    @field_validator("carrier_prefix")
    @classmethod
    def _prefix_is_letters(cls, value: str) -> str:
        if not _PREFIX_PATTERN.match(value):
            raise ValueError("carrier_prefix must be 2 to 4 upper-case letters")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        _networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """PARCELGUARD_TRUSTED_PROXIES as networks (``10.0.0.0/8, 127.0.0.1``; a bare address is a /32)."""
        return _networks(self.trusted_proxies)

    @property
    def witness_entries(self) -> tuple[WitnessEntry, ...]:
        """PARCELGUARD_WITNESSES parsed (checked when the settings were built)."""
        return _witnesses(self.witnesses)

    @model_validator(mode="after")
    def _witnesses_are_valid(self) -> Settings:
        # A ConfigurationError, not a ValueError: pydantic would quote the value (a URL may hold a token)
        try:
            count = len(_witnesses(self.witnesses))
        except ValueError as error:
            raise ConfigurationError(
                f"PARCELGUARD_WITNESSES is invalid: {error}",
                code=ErrorCode.INVALID_CONFIGURATION,
                field="PARCELGUARD_WITNESSES",
            ) from None
        if self.witness_quorum > count:
            raise ConfigurationError(
                f"PARCELGUARD_WITNESS_QUORUM is {self.witness_quorum} but PARCELGUARD_WITNESSES names "
                f"{count} witness(es): audit verify could never succeed",
                code=ErrorCode.INVALID_CONFIGURATION,
                field="PARCELGUARD_WITNESS_QUORUM",
            )
        return self

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.environment == "prod" and self.notifier == "memory":
            raise ConfigurationError(
                "production cannot keep customers' one-time codes in memory (PARCELGUARD_NOTIFIER=memory)",
                code=ErrorCode.INSECURE_CONFIGURATION,
            )
        if self.environment == "prod" and self.database_url is None:
            raise ConfigurationError(
                "production needs PARCELGUARD_DATABASE_URL (the embedded SQLite default is for dev)",
                code=ErrorCode.INSECURE_CONFIGURATION,
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'parcelguard.db').resolve()}"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file if self.key_file is not None else self.home / "keys.json"


@functools.cache
def _witnesses(value: str) -> tuple[WitnessEntry, ...]:
    return parse_witness_list(value)


@functools.cache
def _networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()
        )
    except ValueError:
        raise ValueError("trusted_proxies must be comma-separated IP networks such as 10.0.0.0/8") from None
