"""What the terminal shows, and what only the run's ``out.log`` keeps.

The terminal shows warnings and errors from anyone, and the INFO lines of hmtl's own loggers;
INFO lines of other libraries (AllenNLP's dump of every constructor parameter, its vocabulary
and optimizer notes) go to ``out.log`` only. While a training run has its ``out.log`` attached
(``hmtl.experiment.run_dir.add_log_file``), which keeps every line, the terminal is brief: only
the records marked ``extra=TERMINAL`` (the run's header, one line per task at each validation)
and those of the commands themselves, beside the progress bar.

Imports nothing heavy: the commands set this up before they know whether they need torch.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

TERMINAL = {"terminal": True}
"""``extra=`` of a log record that the terminal shows during a training run too."""

RUN_LOG_HANDLER = "hmtl run log"
"""The name of the handler that writes a run's ``out.log``."""

TERMINAL_HANDLER = "hmtl terminal"


def run_log_attached() -> bool:
    """Whether a training run's ``out.log`` handler is attached to the root logger."""
    return any(handler.name == RUN_LOG_HANDLER for handler in logging.getLogger().handlers)


class TerminalFilter(logging.Filter):
    """Lets through what the terminal shows (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        if record.name != "hmtl" and not record.name.startswith("hmtl."):
            return False
        if getattr(record, "terminal", False) or record.name.startswith("hmtl.commands"):
            return True
        return not run_log_attached()


class TerminalHandler(logging.StreamHandler):
    """Writes records on stderr, never in the middle of a progress bar's line: on a terminal it
    first clears the line (the bar redraws itself below); in a pipe, where a bar's line has no
    end until the bar closes, it starts a new line when a bar has written since its last
    record."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream or sys.stderr)
        self.set_name(TERMINAL_HANDLER)
        self.addFilter(TerminalFilter())
        self.setFormatter(TerminalFormatter())
        self._bars_seen: tuple = ()

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        isatty = getattr(self.stream, "isatty", None)
        if isatty is not None and isatty():
            return "\r\x1b[K" + text
        bars = _active_bars()
        prefix = "\n" if bars and bars != self._bars_seen else ""
        self._bars_seen = bars
        return prefix + text


def _active_bars() -> tuple:
    """What the open tqdm bars have printed last (tqdm is only looked at if it was imported)."""
    module = sys.modules.get("tqdm")
    instances = getattr(getattr(module, "tqdm", None), "_instances", ())
    return tuple(sorted(
        (id(bar), getattr(bar, "last_print_n", 0), getattr(bar, "last_print_t", 0.0))
        for bar in list(instances) if not getattr(bar, "disable", False)
    ))


class TerminalFormatter(logging.Formatter):
    """INFO as the plain message; warnings and errors with their level and logger."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.levelno >= logging.ERROR:
            message += "\n" + self.formatException(record.exc_info)
        if record.levelno < logging.WARNING:
            return message
        return f"{record.levelname.lower()}: {message} ({record.name})"


def configure_terminal_logging() -> None:
    """Log INFO and above, shown on the terminal through ``TerminalHandler``.

    Like ``logging.basicConfig`` this does nothing when the root logger already has handlers
    (a program or test harness that set up logging keeps its own)."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(TerminalHandler())
    root.setLevel(logging.INFO)
