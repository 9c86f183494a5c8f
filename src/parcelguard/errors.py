"""One error tree with stable codes, shared by every layer.

The web layer and the CLI translate these at the edge (HTTP status, exit code); nothing below them knows
about HTTP. Messages are written for operators and must never contain the personal data that failed: say
which field is wrong and why, never what it held.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Machine-readable error codes. Values are part of the public API: never rename one."""

    # input that fails validation
    INVALID_REQUEST = "invalid_request"
    MALFORMED_JSON = "malformed_json"  # the body is not JSON (message gives line and column)
    MISSING_FIELD = "missing_field"  # a required field is absent, null or blank
    UNKNOWN_FIELD = "unknown_field"  # a field the contract does not define
    DUPLICATE_FIELD = "duplicate_field"  # a JSON key given twice in one object, or a repeated query parameter
    REQUEST_TOO_LARGE = "request_too_large"  # the body is over PARCELGUARD_MAX_BODY_BYTES
    INVALID_NAME = "invalid_name"
    INVALID_MOBILE = "invalid_mobile"
    INVALID_LANDLINE = "invalid_landline"
    INVALID_PHONE = "invalid_phone"
    INVALID_RESIDENT_ID = "invalid_resident_id"
    INVALID_ID_NUMBER = "invalid_id_number"  # an identity document number other than a resident ID
    INVALID_ID_TYPE = "invalid_id_type"
    INVALID_ADDRESS = "invalid_address"
    INVALID_EMAIL = "invalid_email"
    INVALID_PARCEL = "invalid_parcel"
    INVALID_TRACKING_NUMBER = "invalid_tracking_number"
    INVALID_LABEL_FORMAT = "invalid_label_format"
    BATCH_TOO_LARGE = "batch_too_large"
    # state and lookups
    NOT_FOUND = "not_found"  # no such path
    METHOD_NOT_ALLOWED = "method_not_allowed"  # the path exists, not with this method
    WAYBILL_NOT_FOUND = "waybill_not_found"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    TRACKING_VERIFICATION_FAILED = "tracking_verification_failed"
    ORGANISATION_NOT_FOUND = "organisation_not_found"
    ORGANISATION_EXISTS = "organisation_exists"
    # who may do what
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    # people: sign-in, tokens and sessions (issue 10)
    INVALID_CREDENTIALS = "invalid_credentials"  # wrong username, password or one-time code: one answer
    SECOND_FACTOR_REQUIRED = "second_factor_required"  # this role signs in with a one-time code (TOTP)
    ACCOUNT_LOCKED = "account_locked"  # too many failed sign-ins of this account or from this client
    USER_DISABLED = "user_disabled"
    OFFBOARDING = "offboarding"  # the person's offboarding date has come
    USER_NOT_FOUND = "user_not_found"
    USER_EXISTS = "user_exists"
    STATION_NOT_FOUND = "station_not_found"
    STATION_EXISTS = "station_exists"
    CSRF_FAILED = "csrf_failed"  # an unsafe page request without the session's CSRF token
    # reveal, dispatch and the parcel's life (issue 10); every reveal refusal is a 403 with one of these
    NOT_ASSIGNED = "not_assigned"  # a courier asked about a parcel not assigned to them (or none such)
    OUTSIDE_WINDOW = "outside_window"  # not out for delivery, nor delivered within the grace period
    PURPOSE_REQUIRED = "purpose_required"
    TICKET_REQUIRED = "ticket_required"  # a customer-service reveal names its ticket
    QUOTA_EXCEEDED = "quota_exceeded"  # beyond the daily ceiling, approvals included: refused, alerted
    APPROVAL_REQUIRED = "approval_required"  # beyond the daily quota without a break-glass approval
    ROLE_NOT_ALLOWED = "role_not_allowed"  # this role (or an API key) never reveals / never does this step
    FIELD_NOT_ALLOWED = "field_not_allowed"  # a field this role may not see (the sender's ID number: nobody)
    SELF_APPROVAL = "self_approval"  # a break-glass request approved by its own requester
    GRANT_NOT_FOUND = "grant_not_found"
    INVALID_TRANSITION = "invalid_transition"  # a status the parcel cannot take from where it is
    STATION_MISMATCH = "station_mismatch"  # a station user acting at another station
    PICKUP_VERIFICATION_FAILED = "pickup_verification_failed"  # pickup code and last 4 digits do not match
    # access transparency for customers (issue 11)
    ACCESS_CODE_INVALID = "access_code_invalid"  # a wrong one-time code (or no such challenge): one answer
    ACCESS_CODE_EXPIRED = "access_code_expired"  # the code's 5 minutes passed, it was used, or 5 tries failed
    # label tokens
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a secret
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an error code, not a secret
    # overlapping first prints kept revoking each other's new token: nothing written, print again
    LABEL_TOKEN_CONFLICT = "label_token_conflict"  # noqa: S105 - an error code, not a secret
    # keys and crypto
    KEY_FILE_MISSING = "key_file_missing"
    KEY_FILE_INSECURE = "key_file_insecure"
    KEY_FILE_CORRUPT = "key_file_corrupt"
    KEY_VERSION_UNKNOWN = "key_version_unknown"
    KEY_FILE_MISMATCH = "key_file_mismatch"  # the key file does not open what the database holds
    DECRYPTION_FAILED = "decryption_failed"
    # rendering and configuration
    LABEL_NOT_COMPLIANT = "label_not_compliant"
    LABEL_GLYPH_MISSING = "label_glyph_missing"
    INSECURE_CONFIGURATION = "insecure_configuration"  # a setting refused because it is unsafe
    INVALID_CONFIGURATION = "invalid_configuration"  # a setting not what it must be (field: its variable)
    DATABASE_NOT_READY = "database_not_ready"
    DATABASE_UNAVAILABLE = "database_unavailable"  # cannot connect: down, unreachable, wrong user or database
    DATABASE_CORRUPT = "database_corrupt"  # the embedded database file is not an SQLite database
    RATE_LIMITER_UNAVAILABLE = "rate_limiter_unavailable"  # the shared (Redis) limiter cannot be reached
    DATA_FOLDER_NOT_FOUND = "data_folder_not_found"  # the CLI found no configured data folder (keys, db)
    OUTPUT_NOT_WRITABLE = "output_not_writable"  # --out: no such folder, not writable, or not a regular file
    EMPTY_INPUT = "empty_input"  # an input file with no records
    INTERNAL = "internal_error"
    # de-identification (datasets, format-preserving encryption, optional dependencies)
    INVALID_POLICY = "invalid_policy"
    INVALID_DATASET = "invalid_dataset"
    FPE_DOMAIN_TOO_SMALL = "fpe_domain_too_small"
    K_ANONYMITY_UNREACHABLE = "k_anonymity_unreachable"
    DEPENDENCY_MISSING = "dependency_missing"
    # virtual numbers (issue 12)
    POOL_EXHAUSTED = "pool_exhausted"  # no number of the pool can take one more binding of this model
    BINDING_EXISTS = "binding_exists"  # the waybill already has a live binding (unbind or extend it)
    BINDING_NOT_FOUND = "binding_not_found"  # the waybill has no live binding
    BINDING_CONFLICT = "binding_conflict"  # concurrent binds kept taking the same routes: try again
    PARTY_PHONE_MISSING = "party_phone_missing"  # the courier has no phone to be reached on (vnum phone)
    NUMBER_EXISTS = "number_exists"  # an imported virtual number is already in a pool
    CALL_NOT_FOUND = "call_not_found"  # a call record for a call id no route answer gave
    PROVIDER_FAILED = "provider_failed"  # the number provider (cloud API) refused or could not be reached


class ParcelGuardError(Exception):
    """Base of every error ParcelGuard raises on purpose.

    ``field`` names the input field at fault (``recipient.mobile``), never its value.
    """

    default_code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, code: ErrorCode | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code or self.default_code
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        """The JSON body the API and the CLI show: ``{"code", "message"}`` plus ``field`` when known."""
        body = {"code": self.code.value, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ValidationError(ParcelGuardError):
    """Input that is not what it claims to be (bad checksum, unknown division, malformed order)."""

    default_code = ErrorCode.INVALID_REQUEST

    def with_field_prefix(self, prefix: str) -> ValidationError:
        """The same error, its field path placed under ``prefix`` (``mobile`` -> ``recipient.mobile``)."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return type(self)(self.message, code=self.code, field=field)


class NotFoundError(ParcelGuardError):
    default_code = ErrorCode.WAYBILL_NOT_FOUND


class ConflictError(ParcelGuardError):
    default_code = ErrorCode.IDEMPOTENCY_CONFLICT


class AuthenticationError(ParcelGuardError):
    default_code = ErrorCode.UNAUTHENTICATED


class AccountLockedError(AuthenticationError):
    """Too many failed sign-ins: refused without checking the password until ``retry_after_s`` passes."""

    default_code = ErrorCode.ACCOUNT_LOCKED

    def __init__(self, message: str, *, retry_after_s: float, code: ErrorCode | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class PermissionDeniedError(ParcelGuardError):
    default_code = ErrorCode.FORBIDDEN


class RateLimitedError(ParcelGuardError):
    default_code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after_s: float, code: ErrorCode | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class TokenError(ParcelGuardError):
    default_code = ErrorCode.TOKEN_INVALID


class CryptoError(ParcelGuardError):
    default_code = ErrorCode.DECRYPTION_FAILED


class KeyStoreError(ParcelGuardError):
    default_code = ErrorCode.KEY_FILE_CORRUPT


class LabelComplianceError(ParcelGuardError):
    """The label gate found text a privacy waybill must not show; nothing was rendered."""

    default_code = ErrorCode.LABEL_NOT_COMPLIANT


class ConfigurationError(ParcelGuardError):
    default_code = ErrorCode.INSECURE_CONFIGURATION
