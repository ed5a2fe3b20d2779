"""axe-core in Chromium, the four viewing modes, and opening a page in one of them."""

from dataclasses import dataclass, field
from pathlib import Path

import axe_playwright_python

from tests.browser import DESKTOP, PHONE

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")


BLOCKING = ("serious", "critical")


TIMEOUT = 10_000


# Only what axe reports as a failure; "incomplete" (needs review) would make every page
# with a background image or pseudo-element fail without telling us anything.
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
        count: v.nodes.length,
    }));
}"""


# What the keyboard user's focus is on and whether it is drawn: an outline of 2px or more,
# or a box-shadow ring.
FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow && style.boxShadow !== "none";
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.name ? `[name="${el.name}"]` : "") + (el.getAttribute("href") ? `[href="${el.getAttribute("href")}"]` : "");
    return {path: name, visible: outline || Boolean(ring)};
}"""


# The innermost elements sticking out past the right edge of the screen, for the report.
WIDER_THAN_SCREEN = """(screen) => [...document.querySelectorAll("main *, header *, footer *")]
    .filter(el => el.getBoundingClientRect().right > screen + 1 && el.children.length === 0)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""))"""


@dataclass(frozen=True)
class Mode:
    """One way a resident may see the site."""

    name: str
    device: dict
    large_text: bool


# The e2e phone at device pixel ratio 1: axe reads styles and layout, not pixels, and
# half the pixels to paint keeps the run quick.
PHONE_1X = {**PHONE, "device_scale_factor": 1}


MODES = [
    Mode("手机", PHONE_1X, False),
    Mode("手机·大字", PHONE_1X, True),
    Mode("电脑", DESKTOP, False),
    Mode("电脑·大字", DESKTOP, True),
]


@dataclass
class Audit:
    """Collects serious and critical violations from every page audited."""

    found: list = field(default_factory=list)
    pages: int = 0

    def check(self, page, label, mode):
        """Run axe on what the page shows now; remember blocking violations with where they were."""
        page.wait_for_load_state()
        # The mode must really be on (or off): otherwise large text would pass unchecked.
        html_class = page.eval_on_selector("html", "el => el.className")
        assert ("text-large" in html_class) == mode.large_text, (label, mode.name, html_class)
        self.pages += 1
        # Not axe: large text on a phone must wrap, never make the page scroll sideways (WCAG 1.4.10).
        # The screen's width, not innerWidth: a mobile browser widens its layout viewport
        # to fit content that overflows, which would hide the very overflow looked for.
        screen = mode.device["viewport"]["width"]
        widths = [page.evaluate("document.documentElement.scrollWidth"), screen]
        if widths[0] > screen:
            wide = page.evaluate(WIDER_THAN_SCREEN, screen)
            self.found.append(
                (
                    mode.name,
                    label,
                    page.url,
                    {
                        "id": "reflow",
                        "impact": "serious",
                        "help": f"Page is {widths[0]}px wide on a {widths[1]}px screen",
                        "helpUrl": "https://www.w3.org/WAI/WCAG21/Understanding/reflow.html",
                        "targets": wide,
                        "count": len(wide),
                    },
                )
            )
        for violation in page.evaluate(AXE_RUN):
            if violation["impact"] in BLOCKING:
                self.found.append((mode.name, label, page.url, violation))

    def prove_it_can_fail(self, page):
        """A picture without alt text and an unlabelled field must be caught, or axe is not
        really running (a missing init script would make every page pass)."""
        page.evaluate(
            """() => {
                const probe = document.createElement("div");
                probe.id = "axe-probe";
                probe.innerHTML = '<img src="/static/img/favicon.svg"><input type="text">';
                document.querySelector("main").append(probe);
            }"""
        )
        caught = {v["id"]: v["impact"] for v in page.evaluate(AXE_RUN)}
        page.evaluate("() => document.getElementById('axe-probe').remove()")
        assert caught.get("image-alt") == "critical" and caught.get("label") == "critical", caught

    def check_focus_visible(self, page, label, mode, presses=20):
        """Tab through the page as a keyboard user; every element reached must show a
        focus ring (axe does not check this). Failures are collected like violations."""
        page.locator("body").focus()
        seen = set()
        for _ in range(presses):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_STATE)
            if focused is None or focused["path"] in seen:
                continue
            seen.add(focused["path"])
            if not focused["visible"]:
                self.found.append(
                    (
                        mode.name,
                        label,
                        page.url,
                        {
                            "id": "focus-visible",
                            "impact": "serious",
                            "help": "Keyboard focus has no visible outline",
                            "helpUrl": "https://www.w3.org/WAI/WCAG21/Understanding/focus-visible.html",
                            "targets": [focused["path"]],
                            "count": 1,
                        },
                    )
                )
        assert len(seen) >= 5, (label, seen)  # the walk reached links and fields, not nothing

    def report(self):
        lines = [f"{len(self.found)} serious/critical axe violations in {self.pages} page audits:"]
        for mode, label, url, v in self.found:
            lines.append(f"- [{mode}] {label} ({url}): {v['id']} ({v['impact']}) ×{v['count']} — {v['help']}")
            lines.append(f"    {v['helpUrl']}")
            lines.extend(f"    target: {target}" for target in v["targets"])
        return "\n".join(lines)


def open_mode(browser, live_server, mode):  # noqa: F811 - the fixture value, passed in
    """A fresh context in `mode` with axe loaded into every document it opens.

    An init script rather than a <script> tag added to the page: it is injected through
    the DevTools protocol, so a Content-Security-Policy on inline scripts should not block it.
    """
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **mode.device)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(path=str(AXE_JS))
    # Uploaded images live in the test's in-memory storage, which the live server does not
    # serve; refusing them at once spares a rendered 404 page per image (axe checks the
    # <img> markup and its alt text, not the picture).
    context.route("**/media/**", lambda route: route.abort())
    if mode.large_text:
        context.add_cookies([{"name": "text_size", "value": "large", "url": live_server.url}])
    return context
