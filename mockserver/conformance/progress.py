"""Progress of a check on stderr: a one-line bar on a terminal; without one (CI logs), a plain
`label: done/total` line every few seconds and at the end; nothing with --quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 30
LOG_INTERVAL_S = 5.0


class Progress:
    def __init__(
        self, label: str, *, enabled: bool | None = None, stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = True if enabled is None else enabled
        self.bar = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self._clock = clock
        self._last = clock()
        self._drawn = 0  # characters of an unfinished bar on the terminal's current line

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if not self.bar:
            now = self._clock()
            if done >= total or now - self._last >= LOG_INTERVAL_S:
                self._last = now
                self.stream.write(f"{self.label}: {done}/{total}\n")
                self.stream.flush()
            return
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        line = f"{self.label} [{bar}] {done}/{total}"
        self._drawn = 0 if done >= total else len(line)
        end = "" if self._drawn else "\n"
        self.stream.write(f"\r{line}{end}")
        self.stream.flush()

    def clear(self) -> None:
        """Erase an unfinished bar, so a message that stops the run starts its own line."""
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0
