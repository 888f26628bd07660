"""Accessibility scans with axe-core (the npm package, pinned in package-lock.json, installed by
`make browser-tools`) injected into a Playwright page.

The pages' Content-Security-Policy (script-src 'self') refuses an injected script: create the
page's browser context with bypass_csp=True (Playwright's switch for exactly this)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Error, Page

from tests.live_app import ROOT

AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What a person cannot get past: the impacts a scan must not find.
BLOCKING = ("serious", "critical")


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING, context: str | None = None) -> list[dict[str, Any]]:
    """The violations of the page as it is now (or of the `context` selector within it) with one
    of `impacts`, each with its rule id, impact, help text and the offending elements."""
    if not AXE_SCRIPT.exists():
        raise AssertionError(f"{AXE_SCRIPT} is missing: run `make browser-tools`")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        try:
            page.add_script_tag(path=str(AXE_SCRIPT))
        except Error as refused:
            if "Content Security Policy" in str(refused):
                raise AssertionError("axe-core was refused by the page's CSP: open it in a context with bypass_csp=True") from None
            raise
    results = page.evaluate(
        """async (context) => {
            const results = await axe.run(context || document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        context,
    )
    return [violation for violation in results if violation["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a failing assertion can show."""
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} -> {', '.join(n['target'] for n in v['nodes'][:5])}" for v in violations
    )
