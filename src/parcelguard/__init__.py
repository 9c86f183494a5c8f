"""ParcelGuard: privacy waybills and personal-data protection for parcel delivery."""

__version__ = "0.1.0"
