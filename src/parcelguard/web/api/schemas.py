"""The API's request and response shapes, separate from domain objects and tables.

Request models are deliberately loose (strings and numbers): the domain validates meaning and answers with
coded errors; these models exist for the OpenAPI document and for basic shape checks.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="Chinese or Latin name", examples=["张伟"])
    mobile: str = Field(description="mainland mobile; +86, spaces, dashes, full-width digits accepted")
    address: str = Field(description="one free string, e.g. 北京市朝阳区建国路88号3号楼2单元1201室")


class SenderIn(PartyIn):
    id_type: str = Field(description="real-name registration document type", examples=["resident_id"])
    id_number: str = Field(description="GB 11643 resident ID number; encrypted, never printed")


class ParcelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(max_length=200, examples=["书籍"])
    weight_kg: float = Field(examples=[1.2])


class WaybillCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: SenderIn
    recipient: PartyIn
    parcel: ParcelIn


class WaybillBatchCreate(BaseModel):
    orders: list[dict[str, Any]] = Field(description="up to 1,000 orders, each shaped like WaybillCreate")


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


class WaybillIssued(BaseModel):
    tracking_number: str
    masked: MaskedOrderRead


class ErrorRead(BaseModel):
    code: str
    message: str
    field: str | None = None


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
    mobile_last4: str = Field(
        description="last 4 digits of the recipient's mobile", min_length=4, max_length=4
    )


class LabelBatchRequest(BaseModel):
    tracking_numbers: list[str] = Field(min_length=1, max_length=1000)


class TokenResolve(BaseModel):
    token: str = Field(max_length=200)


class TokenResolved(BaseModel):
    tracking_number: str
    status: str
    masked: MaskedOrderRead


class RevokedRead(BaseModel):
    revoked: int
