"""Progress of a check on stderr: a one-line bar on a terminal; without one (CI logs), a plain
`label: done/total` line every few seconds and at the end; nothing with --quiet.

The runners call it after each case (`progress(done, total)`) and say which case starts
(`running(case)`); `ticking()` adds a timer, so that the line is printed on time, naming the case
in progress and for how long, even while one case runs for minutes (a hung client, a slow server).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from contract.conformance.report import Report

BAR_WIDTH = 30
LOG_INTERVAL_S = 5.0
TICK_S = 1.0  # how often the timer looks
SLOW_CASE_S = 1.0  # a case running this long is named in the line
MAX_CASE_SHOWN = 60


class Progress:
    def __init__(
        self, label: str, *, enabled: bool | None = None, stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.stream = stream or sys.stderr
        self.enabled = True if enabled is None else enabled
        self.bar = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self._clock = clock
        self._last = clock()
        self._drawn = 0  # characters of an unfinished bar on the terminal's current line
        self._lock = threading.RLock()  # the timer's thread writes too
        self.done = 0
        self.total = 0  # 0: not known yet (no case has finished)
        self._case: str | None = None
        self._case_started = 0.0
        # Set by the command's Ctrl-C handler: a KeyboardInterrupt raised while a garbage
        # collector callback ran (hypothesis keeps one) is swallowed by Python, so the next
        # case to start raises it again.
        self.interrupt_asked = False

    def _stop_if_asked(self) -> None:
        if self.interrupt_asked:
            raise KeyboardInterrupt

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total, self._case = done, total, None
            if not self.enabled or total <= 0:
                return
            now = self._clock()
            if not self.bar:
                if done >= total or now - self._last >= LOG_INTERVAL_S:
                    self._log(now)
                return
            self._draw(now)

    def running(self, case: str | None) -> None:
        """`case` has started (None: it has ended, or was given up)."""
        if case is not None:
            self._stop_if_asked()
        with self._lock:
            self._case = case
            self._case_started = self._clock()

    @property
    def running_case(self) -> tuple[str, float] | None:
        """The case in progress and for how many seconds it has run, if one is."""
        with self._lock:
            if self._case is None:
                return None
            return self._case, self._clock() - self._case_started

    def tick(self) -> None:
        """The timer's beat: without a terminal, the line once LOG_INTERVAL_S have passed since
        the last one; on a terminal, the bar redrawn while a case runs long."""
        with self._lock:
            if not self.enabled:
                return
            now = self._clock()
            if not self.bar:
                if now - self._last >= LOG_INTERVAL_S:
                    self._log(now)
            elif self._running(now) and not (self.total and self.done >= self.total):
                self._draw(now)

    @contextlib.contextmanager
    def ticking(self, every: float | None = None) -> Iterator[Progress]:
        """Within the block, `tick()` every `every` seconds (TICK_S) from a daemon thread."""
        every = TICK_S if every is None else every
        if not self.enabled:
            yield self
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every):
                self.tick()

        timer = threading.Thread(target=beat, name=f"{self.label} progress", daemon=True)
        timer.start()
        try:
            yield self
        finally:
            stop.set()
            timer.join(timeout=every)  # a stderr that blocks must not hold the run's end

    def clear(self) -> None:
        """Erase an unfinished bar, so a message that stops the run starts its own line."""
        with self._lock:
            if self._drawn:
                self.stream.write("\r" + " " * self._drawn + "\r")
                self.stream.flush()
                self._drawn = 0

    def _count(self) -> str:
        return f"{self.done}/{self.total}" if self.total > 0 else "starting"

    def _running(self, now: float) -> str:
        """`running CASE for N s`, when a case has run long enough to say so ("" otherwise)."""
        if self._case is None or now - self._case_started < SLOW_CASE_S:
            return ""
        case = self._case
        if len(case) > MAX_CASE_SHOWN:
            case = case[: MAX_CASE_SHOWN - 3] + "..."
        return f"running {case} for {now - self._case_started:.0f} s"

    def _log(self, now: float) -> None:
        self._last = now
        running = self._running(now)
        line = f"{self.label}: {self._count()}" + (f" ({running})" if running else "")
        self.stream.write(line + "\n")
        self.stream.flush()

    def _draw(self, now: float) -> None:
        total = max(self.total, 1)
        filled = BAR_WIDTH * min(self.done, total) // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        finished = self.total > 0 and self.done >= self.total
        running = "" if finished else self._running(now)
        line = f"{self.label} [{bar}] {self._count()}" + (f" {running}" if running else "")
        if self.stream.isatty():  # one line, never wrapped (a wrapped line is not redrawn)
            line = line[: max(shutil.get_terminal_size().columns - 1, 20)]
        pad = " " * max(self._drawn - len(line), 0)  # over what a longer line left
        self._drawn = 0 if finished else len(line)
        end = "" if self._drawn else "\n"
        self.stream.write(f"\r{line}{pad}{end}")
        self.stream.flush()


class RunInterrupted(KeyboardInterrupt):
    """A KeyboardInterrupt (Ctrl-C) during a check, with the report of the cases finished before
    it (`report.cases` of them; `report.options["interrupted"]` says where it stopped) and the
    case whose request was in flight."""

    def __init__(self, report: Report, case: str) -> None:
        super().__init__(f"interrupted while {case} was running")
        self.report = report
        self.case = case
