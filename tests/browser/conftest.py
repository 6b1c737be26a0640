"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

The browser is never downloaded: `.ci/run` installs `chromium` and `fonts-wqy-zenhei` from
Debian. Without /usr/bin/chromium every test here is skipped, saying why. Screenshots go to
test-artifacts/browser/ (gitignored) so a person can check that the Chinese text renders.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHIZHENG_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Session:
    """One logged-in browser tab plus helpers; collects every failed HTTP response."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.failures: list[str] = []
        page.on("response", self._watch)

    def _watch(self, response: Any) -> None:
        if response.status >= 500 or (response.status >= 400 and "/static/" in response.url):
            self.failures.append(f"{response.status} {response.url}")

    def go(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str) -> None:
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(re.compile(r"/$"))

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def text(self, selector: str = "body") -> str:
        return str(self.page.inner_text(selector))


@pytest.fixture
def app(live_server: Any, transactional_db: None) -> Any:
    """A small Jiaozuo (the test personas) and the occupation catalog behind the live server.

    The live server needs a transactional database, which is flushed after each test, and
    the catalog loaded by migration 0002 goes with it. Django's serialized rollback cannot
    bring it back here: Playwright runs the test in a greenlet with its own context, where
    Django's context-local `connections` hands out a fresh connection object without the
    serialized snapshot. So the catalog is reloaded from the same CSV files the migration uses.
    """
    from chizheng.core.testing import build_world
    from chizheng.occupations.catalog import load_catalog
    from chizheng.occupations.models import Occupation, OccupationGroup

    if not OccupationGroup.objects.exists():
        load_catalog(OccupationGroup, Occupation)
    return build_world()


@pytest.fixture
def tab(browser: Any, live_server: Any) -> Iterator[Session]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    session = Session(page, live_server.url)
    yield session
    context.close()
    assert not session.failures, session.failures
