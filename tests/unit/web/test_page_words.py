"""The staff pages speak of every refusal in words, and send people only to paths on this site."""

from __future__ import annotations

import inspect
import re

import pytest

from parcelguard.domain import reveal_policy
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError
from parcelguard.services import break_glass, dispatch, parcel_events, pickup, reveal
from parcelguard.web.pages.common import safe_next
from parcelguard.web.pages.reasons import GENERIC_TITLE, problem_code_has_words, problem_for

ISSUE_CODES = {
    "not_assigned",
    "outside_window",
    "purpose_required",
    "quota_exceeded",
    "approval_required",
    "token_invalid",
    "token_revoked",
    "user_disabled",
    "offboarding",
    "second_factor_required",
}


def _codes_raised_by(*modules: object) -> set[str]:
    """Every ErrorCode a module names (refusals and errors alike), read from its source."""
    names: set[str] = set()
    for module in modules:
        names |= set(re.findall(r"ErrorCode\.([A-Z_]+)", inspect.getsource(module)))  # type: ignore[arg-type]
    return {ErrorCode[name].value for name in names}


def test_every_refusal_code_of_the_reveal_policy_and_its_services_has_words_of_its_own() -> None:
    raised = _codes_raised_by(reveal_policy, reveal, pickup, break_glass, dispatch, parcel_events)
    refusals = {code for code in raised if code not in {"invalid_request", "missing_field", "internal_error"}}
    missing = sorted(code for code in refusals | ISSUE_CODES if not problem_code_has_words(code))
    assert missing == []


@pytest.mark.parametrize("code", sorted(ISSUE_CODES))
def test_a_refusal_is_shown_with_its_code_a_title_and_what_to_do(code: str) -> None:
    problem = problem_for(PermissionDeniedError("internal message", code=ErrorCode(code)))
    assert problem.code == code
    assert problem.title != GENERIC_TITLE and " · " in problem.title  # Chinese, then English
    assert problem.explanation and problem.explanation != "internal message"


def test_an_error_without_words_of_its_own_shows_its_message_and_field() -> None:
    error = ValidationError("district must be a current 6-digit division code", field="district")
    problem = problem_for(error)
    assert problem.title == GENERIC_TITLE
    assert problem.explanation == "district must be a current 6-digit division code"


@pytest.mark.parametrize("target", ["/courier", "/admin/users?x=1", "/support"])
def test_a_path_on_this_site_is_a_place_to_go_after_sign_in(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", None],
)
def test_anything_else_is_never_followed_after_sign_in(target: str | None) -> None:
    assert safe_next(target) is None
