"""The staff pages (issue 10): sign-in, courier, outlet, customer service, security and administration.

``install_staff_pages`` is the one call web/app.py makes: it includes every router and the handlers that
turn a missing session into a redirect to the sign-in page and a whole-page refusal into an HTML answer.
"""

from __future__ import annotations

from fastapi import FastAPI

from parcelguard.web.pages import admin, courier, outlet, security, signin, support
from parcelguard.web.pages.common import install_page_handlers


def install_staff_pages(app: FastAPI) -> None:
    install_page_handlers(app)
    for module in (signin, courier, outlet, support, security, admin):
        app.include_router(module.router)
