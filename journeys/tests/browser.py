"""What the browser tests of a signed-in person share: signing in, and a page watched for
console errors and CSP violations that can say it is still a whole page (header,
navigation, search box, bell, language switch, sign out, the right title)."""

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD

SHOTS = Path(settings.BASE_DIR) / "test-results" / "workspace"
# Reported through the console, which the test listens to (a test-only script injected by
# the browser's devtools, so the page's CSP does not apply to it).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});
"""


class Watched:
    """A page whose console errors and CSP violations are collected; screenshots go to
    ``shots``."""

    def __init__(self, page: Page, shots: Path = SHOTS) -> None:
        self.page = page
        self.shots = shots
        self.errors: list[str] = []
        page.add_init_script(CSP_LISTENER)
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def whole(self, title: str | None = None, shot: str | None = None) -> None:
        """The page is a whole page (with ``title``, when given), and nothing went wrong so
        far."""
        page = self.page
        if title is not None:
            expect(page).to_have_title(re.compile(rf"^{re.escape(title)} · cxcenter$"))
        expect(page.locator("nav.mainnav")).to_be_visible()
        expect(page.locator("#quicksearch-q")).to_be_visible()
        expect(page.locator("#bell")).to_be_visible()
        expect(page.locator("form.langswitch")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert page.locator("header.topbar").count() == 1
        assert page.locator("#main").count() == 1
        if shot:
            self.shots.mkdir(parents=True, exist_ok=True)
            # caret="initial": hiding the caret injects a <style>, which the CSP rightly blocks.
            page.screenshot(path=str(self.shots / f"{shot}.png"), full_page=True, caret="initial")
        assert self.errors == [], "\n".join(self.errors)


def sign_in(page: Page, live_server, username: str, next_url: str = "/inbox/") -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Keys and htmx work once the page has left the sign-in form and its scripts have run.
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
    page.wait_for_load_state("load")
