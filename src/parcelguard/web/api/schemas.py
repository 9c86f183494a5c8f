"""The API's request and response shapes, separate from domain objects and tables.

The order models (WaybillCreate and its parts) are the OpenAPI description of the one order contract that
``domain.order.parse_order`` enforces for the API, the batch endpoint and the CLI alike: their field names,
bounds and the ``id_type`` enum are taken from the domain (a test keeps them equal). The routes do not
validate orders with them: every order, alone or in a batch, is validated by the domain, so each batch item
gets its own coded error.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from parcelguard.domain import order as contract
from parcelguard.domain.pii.address import MAX_ADDRESS_LENGTH
from parcelguard.domain.pii.id_type import ID_TYPES
from parcelguard.domain.pii.name import MAX_NAME_LENGTH
from parcelguard.errors import ErrorCode
from parcelguard.services.labels import MAX_LABEL_BATCH

_STRICT = ConfigDict(extra="forbid", strict=True)
# The README's order (synthetic people): the document's example, and what schemathesis sends first.
EXAMPLE_ORDER: JsonDict = {
    "sender": {
        "name": "张伟",
        "mobile": "+86 138-0013-8000",
        "address": "北京市朝阳区建国路88号3号楼2单元1201室",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
    },
    "recipient": {
        "name": "欧阳娜娜",
        "mobile": "13900139000",
        "address": "广东省深圳市南山区科技园路1号A栋501",
    },
    "parcel": {"description": "书籍", "weight_kg": 1.2},
    "remarks": "放门口",
}


class PartyIn(BaseModel):
    model_config = _STRICT
    name: str = Field(
        min_length=1, max_length=MAX_NAME_LENGTH, description="Chinese or Latin name", examples=["张伟"]
    )
    mobile: str = Field(
        min_length=1,
        max_length=contract.MAX_MOBILE_CHARS,
        description="mainland mobile; +86/0086, spaces, dashes and full-width digits are accepted",
        examples=["+86 138-0013-8000"],
    )
    address: str = Field(
        min_length=1,
        max_length=MAX_ADDRESS_LENGTH,
        description="one free string; province and city may be left out when the district is unambiguous",
        examples=["北京市朝阳区建国路88号3号楼2单元1201室"],
    )


class SenderIn(PartyIn):
    id_type: str = Field(
        description="real-name registration document type",
        json_schema_extra={"enum": [str(t) for t in ID_TYPES]},
        examples=["resident_id"],
    )
    id_number: str = Field(
        min_length=1,
        max_length=contract.MAX_ID_NUMBER_CHARS,
        description="the document's number; validated, encrypted, never printed",
    )


class ParcelIn(BaseModel):
    model_config = _STRICT
    description: str = Field(
        min_length=1,
        max_length=contract.MAX_DESCRIPTION_CHARS,
        description="printable text; personal data in it is masked; each run of spaces (U+3000 too), tabs "
        "or line breaks is kept as one plain space",
        examples=["书籍"],
    )
    weight_kg: float = Field(
        ge=contract.MIN_WEIGHT_KG,
        le=contract.MAX_WEIGHT_KG,
        multiple_of=1 / contract.GRAMS_PER_KG,
        description="kilograms as a JSON number (not a string, not a boolean), to the gram: at most 3 "
        "decimal places",
        examples=[1.2],
    )


class WaybillCreate(BaseModel):
    """One order. Unknown fields are refused (``unknown_field``), required ones are ``missing_field``."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [EXAMPLE_ORDER]})
    sender: SenderIn
    recipient: PartyIn
    parcel: ParcelIn
    remarks: str | None = Field(
        default=None,
        max_length=contract.MAX_REMARKS_CHARS,
        description="delivery instructions; personal data in them is masked; blanks as in description",
        examples=["放门口"],
    )


class WaybillBatchCreate(BaseModel):
    """Up to 1,000 orders; each is validated on its own and answered at its index."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"orders": [EXAMPLE_ORDER]}]}
    )
    orders: list[WaybillCreate] = Field(min_length=0, max_length=1000)


class MaskedPartyRead(BaseModel):
    name: str
    mobile: str
    address: str


class MaskedSenderRead(MaskedPartyRead):
    id_type: str
    id_number: str


class MaskedParcelRead(BaseModel):
    description: str
    weight_kg: float


class MaskedOrderRead(BaseModel):
    sender: MaskedSenderRead
    recipient: MaskedPartyRead
    parcel: MaskedParcelRead
    remarks: str | None = Field(default=None, description="delivery instructions, personal data masked")


class WaybillIssued(BaseModel):
    tracking_number: str
    masked: MaskedOrderRead


class ErrorRead(BaseModel):
    """Every error answer: a stable code, a message that never repeats the input, the field at fault."""

    code: ErrorCode = Field(description="stable, machine-readable; see the list in the API description")
    message: str
    field: str | None = Field(default=None, description="dotted path of the field at fault, when one is")


class BatchItemRead(BaseModel):
    index: int
    tracking_number: str | None = None
    masked: MaskedOrderRead | None = None
    error: ErrorRead | None = None


class WaybillBatchRead(BaseModel):
    issued: int
    failed: int
    replayed: bool
    results: list[BatchItemRead]


class TrackingEventRead(BaseModel):
    status: str
    occurred_at: str
    location: str | None = None


class WaybillRead(BaseModel):
    tracking_number: str
    status: str
    created_at: str
    routing_code: str
    masked: MaskedOrderRead
    events: list[TrackingEventRead]


class TrackingRead(BaseModel):
    tracking_number: str
    status: str
    verified: bool
    destination: str | None
    events: list[TrackingEventRead]


class TrackingVerify(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mobile_last4: str = Field(
        description="last 4 digits of the recipient's mobile", min_length=4, max_length=4
    )


class LabelBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The limit is the service's (MAX_LABEL_BATCH), checked there so that 0 or too many numbers answer
    # batch_too_large over HTTP as in the CLI; here it only describes the field (minItems/maxItems).
    tracking_numbers: list[str] = Field(
        description=f"1 to {MAX_LABEL_BATCH:,} tracking numbers, each printed in its place (a number listed "
        f"twice prints twice); none or more than {MAX_LABEL_BATCH:,}: 413 batch_too_large",
        json_schema_extra={"minItems": 1, "maxItems": MAX_LABEL_BATCH},
    )
    format: str = Field(
        default="pdf",
        description="pdf: one multi-page PDF; zpl: the labels' ZPL II one after another (one stream, as a "
        "printer takes it); in any letter case, as a single label's format (png: invalid_label_format)",
        json_schema_extra={"enum": ["pdf", "zpl", "PDF", "ZPL"]},
    )


class TokenResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=200)


class TokenResolved(BaseModel):
    tracking_number: str
    status: str
    masked: MaskedOrderRead


class RevokedRead(BaseModel):
    revoked: int
