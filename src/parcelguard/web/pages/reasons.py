"""Refusals and errors in words for the staff pages, keyed by their stable ErrorCode value.

A courier on a doorstep or an agent on the phone needs to know what to do next, not a code; the code is
shown beside the words so that support, the audit log and the API speak of the same thing. Every reveal
refusal code of the reveal policy has its sentence here (tests check that none falls back to the generic
one). Texts are Chinese first, then English, as the rest of the pages are.
"""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.errors import ParcelGuardError


@dataclass(frozen=True, slots=True)
class Problem:
    """What a page shows for a refusal: a short title, what it means and what to do, and the code."""

    code: str
    title: str
    explanation: str


# code -> (title, explanation). Values are ErrorCode values (strings), so this table never needs importing a
# code that another part of the system has not defined yet.
_WORDS: dict[str, tuple[str, str]] = {
    # reveal policy
    "not_assigned": (
        "不是派给你的包裹 · Not your delivery",
        "This parcel is not assigned to you, so its address and phone stay hidden. "
        "Ask your station manager to assign it if you are delivering it.",
    ),
    "outside_window": (
        "不在派送时段 · Not out for delivery",
        "Address and phone are shown only while the parcel is out for delivery and for a short time after "
        "it is delivered.",
    ),
    "purpose_required": (
        "需要说明用途 · Purpose required",
        "Say why you need to see this field (for example: the customer asked to change the address).",
    ),
    "ticket_required": (
        "需要工单号 · Ticket required",
        "Customer service reveals data only against a ticket: enter the ticket number.",
    ),
    "quota_exceeded": (
        "超出每日上限 · Daily limit reached",
        "You have reached the most reveals anyone may make in a day, approvals included. "
        "This refusal was recorded and security was alerted.",
    ),
    "approval_required": (
        "需要安全员批准 · Approval required",
        "You have used today's reveals. Ask a security officer for a time-limited approval (break-glass) "
        "for the named waybills.",
    ),
    "role_not_allowed": (
        "此角色不可查看 · Not allowed for your role",
        "Your role may not see or do this.",
    ),
    "field_not_allowed": (
        "此字段不可查看 · Field not shown",
        "This field is never shown to your role (the sender's ID number is shown to nobody).",
    ),
    "self_approval": (
        "不能批准自己的申请 · Cannot approve your own request",
        "Another security officer must approve a request you made.",
    ),
    "grant_not_found": (
        "没有这个申请 · No such request",
        "The approval request does not exist or was already decided.",
    ),
    "token_invalid": (
        "无效的二维码 · Invalid QR code",
        "This code was not issued by us, was altered, or belongs to a parcel you may not see. "
        "Check that you scanned the label itself, not a photo of it.",
    ),
    "token_revoked": (
        "二维码已作废 · QR code revoked",
        "This label was replaced: ask the station for the current label.",
    ),
    "user_disabled": (
        "账号已停用 · Account disabled",
        "Your account was disabled. Contact your administrator.",
    ),
    "offboarding": (
        "账号已离职 · Account leaving",
        "Your offboarding date has come: your account can no longer see personal data.",
    ),
    "second_factor_required": (
        "需要动态验证码 · One-time code required",
        "Your role signs in with the 6-digit code from your authenticator app.",
    ),
    # sign-in
    "invalid_credentials": (
        "用户名、密码或验证码不正确 · Sign-in failed",
        "The username, password or one-time code is not right. After several failures the account is "
        "locked for a while.",
    ),
    "account_locked": (
        "账号已暂时锁定 · Account locked",
        "Too many failed sign-ins. Wait and try again later, or contact your administrator.",
    ),
    "csrf_failed": (
        "页面已过期 · Page expired",
        "This form was not sent from the current page. Reload the page and try again.",
    ),
    "unauthenticated": ("请先登录 · Please sign in", "Your session ended. Sign in again."),
    "forbidden": ("无权访问 · Not allowed", "Your role does not use this page."),
    "rate_limited": ("请求太频繁 · Too many requests", "Wait a moment and try again."),
    # pickup, dispatch, parcel life
    "pickup_verification_failed": (
        "取件码或尾号不符 · Pickup code or last 4 digits do not match",
        "Ask the customer to check the pickup code and the last 4 digits of their mobile.",
    ),
    "station_mismatch": (
        "不是本站的包裹 · Another station's parcel",
        "This parcel or person belongs to another station.",
    ),
    "invalid_transition": (
        "包裹状态不允许 · Not possible in this status",
        "The parcel cannot take this step from its current status.",
    ),
    "waybill_not_found": ("没有这个运单 · No such waybill", "Check the tracking number."),
    "invalid_tracking_number": (
        "运单号格式不对 · Not a tracking number",
        "A tracking number is 2 to 4 letters followed by 13 digits.",
    ),
    # access transparency for customers
    "access_code_invalid": (
        "验证码不正确 · Wrong code",
        "Check the 6-digit code in the text message and type it again. After 5 wrong tries the code stops "
        "working.",
    ),
    "access_code_expired": (
        "验证码已失效 · Code no longer valid",
        "The code was used, its 5 minutes passed, or it was typed wrong too often. Ask for a new code.",
    ),
    # administration
    "user_exists": ("用户名已存在 · Username taken", "Choose another username."),
    "user_not_found": ("没有这个用户 · No such user", "Check the username."),
    "station_exists": ("站点代码已存在 · Station code taken", "Choose another station code."),
    "station_not_found": ("没有这个站点 · No such station", "Check the station code."),
}

GENERIC_TITLE = "未能完成 · Not done"
FORM_TITLE = "表单有误 · Check the form"


def form_problem(error: ParcelGuardError) -> Problem:
    """A page form that could not be read (a field missing, too long, not a number): the message names
    the field and says what is wrong with it, never what was typed (web/errors.py writes it so)."""
    return Problem(code=error.code.value, title=FORM_TITLE, explanation=error.message)


def problem_for(error: ParcelGuardError) -> Problem:
    """The words for ``error``; a code without its own sentence shows the error's message (never data)."""
    code = error.code.value
    words = _WORDS.get(code)
    if words is None:
        return Problem(code=code, title=GENERIC_TITLE, explanation=error.message)
    title, explanation = words
    if error.field and code.startswith(("invalid_", "missing_")):
        explanation = f"{explanation} ({error.field})"
    return Problem(code=code, title=title, explanation=explanation)


def problem_code_has_words(code: str) -> bool:
    """Whether ``code`` has a sentence of its own (the tests check every reveal refusal code has one)."""
    return code in _WORDS
