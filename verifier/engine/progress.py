"""Progress of a long run on stderr: items (ballots, voters…) per second and time left, per phase.

Shown only when stderr is a terminal and the user did not ask for --quiet; never part of the report. `simulate`
uses it too: the simulator imports nothing from the verifier, so it calls these methods on whatever object it is
given (verifier.simulate.authority.simulate, `progress`)."""
import sys
import time


class Progress:
    """Silent: what a run reports its progress to when nobody watches."""

    def phase(self, description: str, total: int, unit: str = "ballots") -> None:
        """A new phase: `total` units (registry lines; bytes of the box in pass 1; box lines in pass 2), its items
        counted in `unit` (what the items are called: ballots, voters, aggregates)."""

    def advance(self, units: int, ballots: int) -> None:
        """`units` more units done, covering `ballots` more items."""

    def close(self) -> None:
        pass


class _Callback(Progress):
    """The older interface: a callable given the number of ballots checked in pass 1."""

    def __init__(self, fn):
        self.fn, self.active = fn, False

    def phase(self, description: str, total: int, unit: str = "ballots") -> None:
        self.active = description == "ballot box"

    def advance(self, units: int, ballots: int) -> None:
        if self.active:
            self.fn(ballots)


def as_progress(progress) -> Progress:
    if progress is None:
        return Progress()
    if isinstance(progress, Progress):
        return progress
    return _Callback(progress)


class TerminalProgress(Progress):
    """A rich progress bar on stderr: phase, bar, items done, items per second, time left."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.console = console or Console(file=sys.stderr)
        self.bar = Bar(TextColumn("{task.description:<12}"), BarColumn(), TaskProgressColumn(),
                       TextColumn("{task.fields[ballots]:>10,} {task.fields[unit]}  {task.fields[rate]:>8} "
                                  "{task.fields[unit]}/s"),
                       TimeRemainingColumn(), console=self.console, transient=False)
        self.task = None
        self.started = 0.0
        self.ballots = 0

    def phase(self, description: str, total: int, unit: str = "ballots") -> None:
        if self.task is None:
            self.bar.start()
        else:
            self.bar.update(self.task, completed=self.bar.tasks[self.task].total)
        self.task = self.bar.add_task(description, total=max(1, total), ballots=0, rate="-", unit=unit)
        self.started, self.ballots = time.perf_counter(), 0

    def advance(self, units: int, ballots: int) -> None:
        self.ballots += ballots
        elapsed = time.perf_counter() - self.started
        rate = f"{self.ballots / elapsed:,.0f}" if elapsed > 0 else "-"
        self.bar.update(self.task, advance=units, ballots=self.ballots, rate=rate)

    def close(self) -> None:
        if self.task is not None:
            self.bar.stop()
            self.task = None


def for_terminal(quiet: bool, stream=None) -> Progress:
    """A progress bar when `stream` (stderr) is an interactive terminal and not `quiet`; otherwise silence."""
    stream = stream or sys.stderr
    if quiet or not getattr(stream, "isatty", lambda: False)():
        return Progress()
    return TerminalProgress()
