"""Cryptography adapters: the key file, envelope encryption, blind indexes and label tokens.

Everything here uses vetted primitives (AES-256-GCM from ``cryptography``, HMAC-SHA256 from the standard
library); nothing is hand-rolled. Keys come from :class:`KeyFile`, which bootstrap builds from a path it
reads from the settings; nothing in this package reads configuration itself.
"""

from parcelguard.adapters.crypto.blind_index import BlindIndex
from parcelguard.adapters.crypto.envelope import DataKey, Envelope, KekSource
from parcelguard.adapters.crypto.keyfile import KeyFile
from parcelguard.adapters.crypto.label_token import LabelToken, LabelTokenCodec, ParsedToken
from parcelguard.domain.keys import WrappedKey

__all__ = [
    "BlindIndex",
    "DataKey",
    "Envelope",
    "KekSource",
    "KeyFile",
    "LabelToken",
    "LabelTokenCodec",
    "ParsedToken",
    "WrappedKey",
]
