"""Settings, read from the environment (``PARCELGUARD_*``) and passed in explicitly.

There is no module-level instance: bootstrap, the web app factory and the CLI build one and hand it down.
Outside ``dev`` the settings refuse defaults that would be insecure in production.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    bootstrap_admin_key: SecretStr | None = None

    @field_validator("carrier_prefix")
    @classmethod
    def _prefix_is_letters(cls, value: str) -> str:
        if not _PREFIX_PATTERN.match(value):
            raise ValueError("carrier_prefix must be 2 to 4 upper-case letters")
        return value

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
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
