"""One entry point for every operator on one value, keyed or not.

The keyed operators (pseudonymise, format-preserving encryption) need secrets, which the domain never
holds: they come in as plain functions, built by the service from its ports with the tenant bound. That
keeps this module pure, and makes it cheap to ship to a Dask worker (the functions pickle with their
adapters, the rest is code).
"""

from __future__ import annotations

from collections.abc import Callable

from parcelguard.domain.anonymize.policy import Operator
from parcelguard.domain.anonymize.values import canonical_value, generalize_value, mask_value, redact_tag
from parcelguard.domain.deid.entity import EntityType
from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["Encrypter", "Pseudonymizer", "ValueOperators"]

Pseudonymizer = Callable[[EntityType, str], str]
"""(type, canonical value) -> pseudonym, the tenant already bound."""
Encrypter = Callable[[EntityType, str], "str | None"]
"""(type, value) -> format-preserving ciphertext, or None when the value has no encryptable shape."""


class ValueOperators:
    """Applies an :class:`Operator` to one value of a known type."""

    __slots__ = ("_encrypt", "_pseudonymize")

    def __init__(
        self, *, pseudonymize: Pseudonymizer | None = None, encrypt: Encrypter | None = None
    ) -> None:
        self._pseudonymize = pseudonymize
        self._encrypt = encrypt

    def apply(self, operator: Operator, entity_type: EntityType, value: str) -> tuple[str, bool]:
        """(new value, whether the value had its type's shape); fallbacks never reveal more than the rule.

        A value that cannot be encrypted (wrong shape, too short for FF1's minimum domain) is redacted.
        """
        if operator is Operator.KEEP:
            return value, True
        if operator is Operator.MASK:
            return mask_value(entity_type, value)
        if operator is Operator.REDACT:
            return redact_tag(entity_type), True
        if operator is Operator.GENERALIZE:
            return generalize_value(entity_type, value)
        if operator is Operator.PSEUDONYMIZE:
            if self._pseudonymize is None:
                raise _needs_keys(operator)
            return self._pseudonymize(entity_type, canonical_value(entity_type, value)), True
        if operator is Operator.ENCRYPT:
            if self._encrypt is None:
                raise _needs_keys(operator)
            encrypted = self._encrypt(entity_type, value)
            return (redact_tag(entity_type), False) if encrypted is None else (encrypted, True)
        raise ValidationError(
            f"operator {operator.value} does not apply to a value", code=ErrorCode.INVALID_POLICY
        )


def _needs_keys(operator: Operator) -> ValidationError:
    return ValidationError(
        f"operator {operator.value} needs keys that were not provided", code=ErrorCode.INVALID_POLICY
    )
