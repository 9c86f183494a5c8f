"""Optional dependencies (the ``datasets`` extra), imported on first use with a coded error if missing.

They are imported through ``importlib`` so that ParcelGuard installs, type-checks and runs without them:
only Parquet files and the Dask engine need them.
"""

from __future__ import annotations

import importlib
from typing import Any

from parcelguard.errors import ConfigurationError, ErrorCode


def optional_module(name: str, purpose: str) -> Any:
    """The module ``name``, or DEPENDENCY_MISSING telling the operator which extra to install."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ConfigurationError(
            f"{purpose} needs the '{name.split('.')[0]}' package: pip install 'parcelguard[datasets]'",
            code=ErrorCode.DEPENDENCY_MISSING,
        ) from None
