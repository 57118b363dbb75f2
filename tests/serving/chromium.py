"""A headless Chromium driven over the Chrome DevTools Protocol, for the page tests.

CDP over a websocket rather than Playwright: it needs one small pure-Python package
(``websockets``) instead of a bundled Node.js driver, and the handful of commands used here
(navigate, evaluate, type, click, screenshot) are the protocol's stable core, so any Debian
``chromium`` works, whatever its version.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

CHROMIUM_NAMES = ("chromium", "chromium-browser")
LAUNCH_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
    "--window-size=1100,900",
)


def chromium_or_skip() -> str:
    """The Chromium executable; the test fails without one under CI, and is skipped elsewhere."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    message = "no chromium executable on PATH (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must have it (script/machine_setup.sh installs it)")
    pytest.skip(message)


class Page:
    """One tab, attached through the browser's websocket (flat session mode)."""

    def __init__(
        self,
        connection: ClientConnection,
        session_id: str | None,
        timeout_s: float,
        ids: Iterator[int],
    ) -> None:
        self.connection = connection
        self.session_id = session_id
        self.timeout_s = timeout_s
        self._ids = ids

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are dropped)."""
        command_id = next(self._ids)
        message: dict[str, Any] = {"id": command_id, "method": method, "params": params}
        if self.session_id is not None:
            message["sessionId"] = self.session_id
        self.connection.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout_s
        while True:
            reply = json.loads(self.connection.recv(timeout=max(0.01, deadline - time.monotonic())))
            if reply.get("id") == command_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (promises awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float | None = None) -> Any:
        """Poll ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout_s or self.timeout_s} s for {expression}")
            time.sleep(0.05)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def type_into(self, selector: str, text: str) -> None:
        """Replace the field's content with ``text``, typed as keyboard input."""
        self.evaluate(f"(e => {{ e.focus(); e.select(); }})({_query(selector)})")
        self.send("Input.insertText", text=text)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        box = self.evaluate(
            f"(r => [r.x + r.width / 2, r.y + r.height / 2])"
            f"({_query(selector)}.getBoundingClientRect())"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left",
                clickCount=1,
            )

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page."""
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path


def _query(selector: str) -> str:
    """The JavaScript expression of the first element matching ``selector``."""
    return f"document.querySelector({json.dumps(selector)})"


@contextmanager
def headless_chromium(profile_dir: Path, timeout_s: float = 20.0) -> Iterator[Page]:
    """A fresh headless Chromium (its own profile in ``profile_dir``) with one blank tab."""
    executable = chromium_or_skip()
    profile_dir.mkdir(parents=True, exist_ok=True)
    log = profile_dir.with_name(profile_dir.name + ".log")
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [executable, *LAUNCH_FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _devtools_url(process, profile_dir, log, timeout_s)
        with connect(url, max_size=None, open_timeout=timeout_s) as connection:
            ids = itertools.count(1)
            browser = Page(connection, None, timeout_s, ids)
            target = browser.send("Target.createTarget", url="about:blank")
            session = browser.send(
                "Target.attachToTarget", targetId=target["targetId"], flatten=True
            )
            page = Page(connection, session["sessionId"], timeout_s, ids)
            page.send("Page.enable")
            yield page
            browser.send("Browser.close")
    finally:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _devtools_url(
    process: subprocess.Popen[bytes], profile_dir: Path, log: Path, timeout_s: float
) -> str:
    """The browser's websocket URL, from the ``DevToolsActivePort`` file Chromium writes into
    its profile once it listens (port on the first line, path on the second)."""
    port_file = profile_dir / "DevToolsActivePort"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        lines = port_file.read_text().split() if port_file.is_file() else []
        if len(lines) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    raise RuntimeError(f"chromium did not open its DevTools port; its log:\n{log.read_text()}")
