"""How a release shows its progress: a live display on a terminal, log lines otherwise, or JSON events."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from toolkit.read.memory_location import memory_shown
from toolkit.release.events import STEPS, ProgressEvent, StepEvent, WarningEvent, WorkerEvent
from toolkit.release.run import PacketOutcome, ReleaseReport


def _name(outcomes: dict[str, PacketOutcome], event: WorkerEvent) -> str:
    outcome = outcomes.get(event.packet_file)
    return (outcome.packet_id if outcome else "") or event.packet_file


def summary_table(outcomes: list[PacketOutcome]) -> Table:
    table = Table(title="Release", title_justify="left")
    for column in ("packet", "status", "seconds", "translated", "QA errors", "QA warnings", "problem"):
        table.add_column(column, justify="right" if column in ("seconds", "translated") or "QA" in column else "left")
    for o in outcomes:
        qa = o.manifest.qa if o.manifest else None
        translation = o.manifest.translation if o.manifest else None
        style = {"failed": "bold red", "built": "green"}.get(o.status, "dim")
        table.add_row(
            o.packet_id or Path(o.packet_file).name,
            f"[{style}]{o.status}[/]",
            f"{o.seconds:.1f}" if o.status == "built" else "",
            str(translation.translated) if o.status == "built" and translation else "",
            str(qa.errors) if qa else "",
            str(qa.warnings) if qa else "",
            o.error.splitlines()[0][:100] if o.error else "",
        )
    return table


def print_failures(outcomes: list[PacketOutcome]) -> None:
    """Each failed packet's problems, one `error: FILE:LINE: …` line each, on stderr."""
    for o in outcomes:
        if o.status == "failed":
            for line in o.error.splitlines():
                print(f"error: {line}", file=sys.stderr)


class LogReporter:
    """One plain line per step and per packet, for logs and CI (not a terminal)."""

    def __init__(self, stream: TextIO = sys.stderr, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.outcomes: dict[str, PacketOutcome] = {}

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def start(self, outcomes: list[PacketOutcome]) -> None:
        self.outcomes = {o.packet_file: o for o in outcomes}
        todo = sum(o.status == "pending" for o in outcomes)
        skipped = sum(o.status == "skipped" for o in outcomes)
        self._say(f"release: {len(outcomes)} packets, {todo} to build, {skipped} unchanged")
        pending = [o.packet for o in outcomes if o.status == "pending" and o.packet is not None]
        for memory in sorted({memory_shown(p.memory, p.inputs_root) for p in pending}):
            self._say(f"release: translation memory: {memory}")

    def event(self, event: WorkerEvent) -> None:
        name, inner = _name(self.outcomes, event), event.event
        if isinstance(inner, WarningEvent):
            self._say(f"warning: {inner.message}")
        elif isinstance(inner, StepEvent) and inner.state == "done":
            self._say(f"{name}: {inner.step.label} done in {inner.seconds or 0:.2f} s")
        elif isinstance(inner, ProgressEvent):
            self._say(f"{name}: translated {inner.done}/{inner.total} ({inner.segments_per_s:.0f} segments/s)")

    def finished(self, outcome: PacketOutcome) -> None:
        self._say(f"{outcome.packet_id or outcome.packet_file}: {outcome.status} in {outcome.seconds:.1f} s")

    def close(self, outcomes: list[PacketOutcome], release: ReleaseReport) -> None:
        print_failures(outcomes)
        if not self.quiet:
            Console(file=sys.stdout, width=140, color_system=None).print(summary_table(outcomes))


class RichReporter(LogReporter):
    """A live display on a terminal: a bar per packet through its steps, segments/s while translating."""

    def __init__(self, console: Console | None = None) -> None:
        super().__init__()
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(bar_width=20),
            TextColumn("{task.fields[step]:<12}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.tasks: dict[str, TaskID] = {}

    def start(self, outcomes: list[PacketOutcome]) -> None:
        self.outcomes = {o.packet_file: o for o in outcomes}
        skipped = sum(o.status == "skipped" for o in outcomes)
        if skipped:
            self.console.print(f"{skipped} packets unchanged, skipped")
        for o in outcomes:
            if o.status == "pending":
                self.tasks[o.packet_file] = self.progress.add_task(
                    o.packet_id, total=len(STEPS), step="waiting", rate="", start=False
                )
        self.progress.start()

    def event(self, event: WorkerEvent) -> None:
        inner = event.event
        if isinstance(inner, WarningEvent):
            self.progress.console.print(f"[yellow]warning:[/] {inner.message}", markup=True, highlight=False)
            return
        task = self.tasks.get(event.packet_file)
        if task is None:
            return
        if isinstance(inner, ProgressEvent):
            self.progress.update(task, rate=f"{inner.segments_per_s:.0f} seg/s ({inner.done}/{inner.total})")
        elif inner.state == "start":
            self.progress.start_task(task)
            self.progress.update(task, step=inner.step.label, rate="")
        else:
            self.progress.advance(task)

    def finished(self, outcome: PacketOutcome) -> None:
        task = self.tasks.get(outcome.packet_file)
        if task is not None:
            label = "[red]failed[/]" if outcome.status == "failed" else "[green]done[/]"
            self.progress.update(task, completed=len(STEPS), step=label, rate="")

    def close(self, outcomes: list[PacketOutcome], release: ReleaseReport) -> None:
        self.progress.stop()
        print_failures(outcomes)
        Console().print(summary_table(outcomes))


class JsonReporter:
    """One JSON object per line on stdout: every worker event, each packet's outcome, then the release."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream
        self.outcomes: dict[str, PacketOutcome] = {}

    def _emit(self, obj: dict[str, Any]) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.stream.flush()

    def start(self, outcomes: list[PacketOutcome]) -> None:
        self.outcomes = {o.packet_file: o for o in outcomes}
        for o in outcomes:
            self._emit({"kind": "planned", "packet": o.packet_id, "packet_file": o.packet_file, "status": o.status})

    def event(self, event: WorkerEvent) -> None:
        self._emit({"kind": event.kind, "packet": _name(self.outcomes, event), **event.to_json()})

    def finished(self, outcome: PacketOutcome) -> None:
        self._emit({"kind": "packet", "packet": outcome.packet_id, **outcome.summary().to_json()})

    def close(self, outcomes: list[PacketOutcome], release: ReleaseReport) -> None:
        self._emit({"kind": "release", **{k: v for k, v in release.to_json().items() if k != "packets"}})
