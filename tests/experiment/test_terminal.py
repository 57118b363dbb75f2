"""What reaches the terminal: hmtl's INFO lines, anyone's warnings, and during a run with an
out.log only the lines marked for the terminal; records never land inside a progress bar's line."""

import io
import logging
import os
import subprocess
import sys

import pytest
from tqdm import tqdm

from hmtl.experiment.terminal import (
    RUN_LOG_HANDLER,
    TERMINAL,
    TerminalFilter,
    TerminalHandler,
    configure_terminal_logging,
)


def record(name: str, level: int = logging.INFO, **extra) -> logging.LogRecord:
    made = logging.LogRecord(name, level, __file__, 1, "message %d", (7,), None)
    made.__dict__.update(extra)
    return made


@pytest.fixture
def run_log():
    handler = logging.NullHandler()
    handler.set_name(RUN_LOG_HANDLER)
    logging.getLogger().addHandler(handler)
    yield
    logging.getLogger().removeHandler(handler)


def test_outside_a_run_hmtl_info_and_every_warning_show_third_party_info_does_not():
    keep = TerminalFilter().filter
    assert keep(record("hmtl.training.experiment"))
    assert keep(record("hmtl"))
    assert not keep(record("allennlp.common.params"))
    assert not keep(record("hmtlx.other"))
    assert keep(record("allennlp.common.params", logging.WARNING))


def test_during_a_run_only_the_marked_lines_and_the_commands_show(run_log):
    keep = TerminalFilter().filter
    assert not keep(record("hmtl.training.trainer"))
    assert keep(record("hmtl.training.trainer", **TERMINAL))
    assert keep(record("hmtl.commands.demo"))
    assert keep(record("hmtl.training.trainer", logging.WARNING))
    assert not keep(record("allennlp.common.params"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_record_clears_the_line_first():
    stream = Terminal()
    handler = TerminalHandler(stream)
    handler.handle(record("hmtl.x"))
    handler.handle(record("hmtl.x", logging.WARNING))
    assert stream.getvalue() == "\r\x1b[Kmessage 7\n\r\x1b[Kwarning: message 7 (hmtl.x)\n"


def test_in_a_pipe_a_record_after_a_bar_starts_a_new_line_once():
    stream = io.StringIO()
    handler = TerminalHandler(stream)
    handler.handle(record("hmtl.x"))  # no bar: nothing added
    bar = tqdm(total=3, file=io.StringIO(), mininterval=0)
    try:
        bar.update(1)
        handler.handle(record("hmtl.x"))  # the bar's line is open: a new line first
        handler.handle(record("hmtl.x"))  # the bar has not written since: no empty line
        bar.update(1)
        handler.handle(record("hmtl.x"))
    finally:
        bar.close()
    assert stream.getvalue() == "message 7\n\nmessage 7\nmessage 7\n\nmessage 7\n"


def test_configuring_keeps_a_logging_set_up_that_exists():
    root = logging.getLogger()
    before = list(root.handlers)
    assert before  # pytest's own capture handlers
    configure_terminal_logging()
    assert root.handlers == before


def test_known_third_party_warnings_are_silenced_and_no_other():
    code = ("import warnings, hmtl; hmtl.register_components(); "
            "warnings.warn('a future change of ours', FutureWarning)")
    # Python's default filters, as a user runs it (DeprecationWarnings of libraries are hidden)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env={k: v for k, v in os.environ.items()
                                              if k != "PYTHONWARNINGS"})
    assert result.returncode == 0, result.stderr
    assert "FutureWarning: a future change of ours" in result.stderr
    assert "custom_fwd" not in result.stderr and "jit.script" not in result.stderr
    assert result.stderr.count("Warning") == 1, result.stderr
