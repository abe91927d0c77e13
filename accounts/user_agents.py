"""A person's browser and device in words ("Chrome 156 on Linux", "Safari on iPhone") for the
sessions page, from the User-Agent string allauth stored at sign-in, parsed with `ua-parser` (the
Browserscope rules, with its native accelerator when installed). Parsing runs dozens of regular
expressions, so results are memoized per string: a person has a handful of sessions and the same
few browsers recur across everyone's."""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse

# ua-parser's names for mobile builds, as people call the browser.
_BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Android WebView",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Samsung Internet": "Samsung Internet",
    "HeadlessChrome": "Headless Chrome",
}
# Devices named on their own ("Safari on iPhone"); other phones are named by their OS, whose
# device names are model codes ("SM-S918B") that mean little to their owners.
_NAMED_DEVICES = {"iPhone", "iPad", "iPod"}
_OS_NAMES = {"Mac OS X": "macOS", "Windows": "Windows", "Chrome OS": "ChromeOS"}
UNKNOWN = "Unknown browser"


@lru_cache(maxsize=1024)
def describe(user_agent: str) -> str:
    """'<browser> [<major version>] on <device or OS>'; the version only where the OS is named
    (desktop browsers update separately from the device; on a phone the device says more)."""
    result = parse(user_agent or "")
    browser = result.user_agent
    if browser is None or browser.family == "Other":
        return UNKNOWN
    name = _BROWSER_NAMES.get(browser.family, browser.family)
    device = result.device.family if result.device else None
    if device in _NAMED_DEVICES:
        return f"{name} on {device}"
    version = f" {browser.major}" if browser.major else ""
    os = result.os
    if os is None or os.family == "Other":
        return f"{name}{version}"
    return f"{name}{version} on {_OS_NAMES.get(os.family, os.family)}"
