"""What a build tells while it runs: its steps, translation progress and warnings, as typed events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class Step(StrEnum):
    """The steps of building one packet, in order."""

    READ = "read"
    TRANSLATE = "translate"
    CITE = "cite"
    WRITE_DOCX = "write_docx"
    WRITE_PDF = "write_pdf"

    @property
    def label(self) -> str:
        return {"write_docx": "write DOCX", "write_pdf": "write PDF"}.get(self.value, self.value)


STEPS = tuple(Step)


@dataclass(frozen=True)
class StepEvent:
    step: Step
    state: Literal["start", "done"]
    seconds: float | None = None  # with "done"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"step": self.step.value, "state": self.state}
        if self.seconds is not None:
            data["seconds"] = self.seconds
        return data


@dataclass(frozen=True)
class ProgressEvent:
    """Translation progress: segments done of those to do, and the rate so far."""

    done: int
    total: int
    segments_per_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "step": Step.TRANSLATE.value,
            "state": "progress",
            "done": self.done,
            "total": self.total,
            "segments_per_s": self.segments_per_s,
        }


@dataclass(frozen=True)
class WarningEvent:
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": "warning", "message": self.message}


BuildEvent = StepEvent | ProgressEvent | WarningEvent


@dataclass(frozen=True)
class WorkerEvent:
    """A build event as a release worker sends it: which packet file, which process."""

    packet_file: str
    pid: int
    event: BuildEvent

    @property
    def kind(self) -> Literal["step", "warning"]:
        return "warning" if isinstance(self.event, WarningEvent) else "step"

    def to_json(self) -> dict[str, Any]:
        return {"packet_file": self.packet_file, "pid": self.pid, **self.event.to_json()}
