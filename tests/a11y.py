"""axe-core in the browser tests: run it on a Playwright page and fail with a readable list.

axe-playwright-python (requirements-dev.txt) bundles a pinned axe-core; it is injected with
Playwright's ``evaluate``, which the page's Content-Security-Policy does not govern, so the pages are
checked under the CSP they are served with. The rules are axe's defaults: WCAG 2.0/2.1 A and AA plus
the best practices axe turns on by itself (experimental rules stay off, as in axe).
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
# Only the failures: passes and "incomplete" results would make each run's payload ten times larger.
AXE_OPTIONS = {"resultTypes": ["violations"]}


def axe_violations(
    page, *, allowed: dict[str, str] | None = None, excluded: dict[str, str] | None = None
) -> list[dict]:
    """The violations axe finds on the page as it is now, less the rules named in ``allowed`` and the
    elements matched by the CSS selectors in ``excluded`` (each → why it cannot be fixed here; the
    reasons are the caller's documentation)."""
    context = {"exclude": [[selector] for selector in excluded]} if excluded else None
    response = AXE.run(page, context=context, options=AXE_OPTIONS).response
    allowed = allowed or {}
    return [violation for violation in response["violations"] if violation["id"] not in allowed]


def describe_violations(violations: list[dict]) -> str:
    """One line per violation (rule id, impact, help) and one per node (its CSS target and what failed)."""
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(" > ".join(part) if isinstance(part, list) else part for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:220]
            lines.append(f"      {target}  — {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_no_axe_violations(
    page, *, where: str = "", allowed: dict[str, str] | None = None, excluded: dict[str, str] | None = None
) -> None:
    """Fail listing every violation axe finds (of any impact) on the page as it is now."""
    violations = axe_violations(page, allowed=allowed, excluded=excluded)
    assert not violations, f"axe found {len(violations)} violation(s) on {where or page.url}:\n" + describe_violations(
        violations
    )


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


DANGLING_REFERENCES_JS = """() => {
  const missing = [];
  for (const element of document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls]")) {
    for (const attribute of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
      for (const id of (element.getAttribute(attribute) || "").split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) missing.push(`${element.tagName.toLowerCase()}#${element.id} ${attribute} → ${id}`);
      }
    }
  }
  return missing;
}"""


def dangling_references(page) -> list[str]:
    """Every aria-describedby / aria-labelledby / aria-controls naming an id that is not on the page
    (axe passes a field whose help is named but missing, as long as one named id exists)."""
    return page.evaluate(DANGLING_REFERENCES_JS)
