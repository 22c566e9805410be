"""Release builds: many packets, in parallel worker processes, skipping those whose inputs did not change.

The worker boundary is `build_in_worker`: plain arguments in (paths as text, an event queue), a picklable
`WorkerResult` out. Anything that can run a picklable function and hand back its result can run a release: a
local process pool (`executor="local"`) or a Dask cluster (`executor="dask"`).
"""

from __future__ import annotations

import concurrent.futures
import gc
import json
import logging
import multiprocessing
import os
import re
import signal
import socket
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from toolkit import __version__
from toolkit.atomic import folder_lock, recover_folder, write_atomic, write_folder_atomic
from toolkit.errors import BriefkitError
from toolkit.read.memory_location import DatabaseUrl, MemoryLocation
from toolkit.read.packet import Packet, ReviewLevel, load_packet
from toolkit.release.build_key import current_manifest
from toolkit.release.events import BuildEvent, WarningEvent, WorkerEvent
from toolkit.release.manifest import Manifest
from toolkit.release.output_folder import check_output_folder
from toolkit.release.pipeline import FORMATS, build_packet, check_review, make_packet
from toolkit.translate import engines

log = logging.getLogger("briefkit")
PacketStatus = Literal["pending", "skipped", "built", "failed"]
Executor = Literal["local", "dask"]


class EventQueue(Protocol):
    def put(self, item: Any) -> Any: ...


@dataclass(frozen=True)
class WorkerInfo:
    """Which process built a packet, and whether it had to load the engine for it."""

    pid: int
    engine_loaded: bool


@dataclass(frozen=True)
class WorkerResult:
    """What a worker sends back for one packet."""

    status: Literal["built", "failed"]
    error: str
    manifest: Manifest | None
    seconds: float
    worker: WorkerInfo


@dataclass
class PacketOutcome:
    """What became of one packet in a release."""

    packet_file: str
    packet_id: str = ""
    status: PacketStatus = "pending"
    error: str = ""
    seconds: float = 0.0
    manifest: Manifest | None = None
    worker: WorkerInfo | None = None
    packet: Packet | None = None  # as the client read it (for a worker that does not share its files)

    def summary(self) -> ReleaseEntry:
        """The packet's entry in release.json."""
        entry = ReleaseEntry(self.packet_file, self.status, error=self.error or None)
        if self.manifest is not None:
            translation = self.manifest.translation
            entry = replace(
                entry,
                build_key=self.manifest.build_key,
                files={kind: asdict(f) for kind, f in self.manifest.files.items()},
                inputs=self.manifest.inputs,
                qa=asdict(self.manifest.qa) if self.manifest.qa else None,
                engine=translation.engine if translation else None,
                model=translation.model if translation else None,
                segments=translation.segments if translation else None,
                translated=translation.translated if translation else None,
                timings_s=self.manifest.timings_s,
                review=self.manifest.review.to_json() if self.manifest.review else None,
                memory=self.manifest.memory,
            )
        if self.status == "built" and self.worker is not None:
            entry = replace(entry, build_seconds=round(self.seconds, 3), worker=self.worker)
        return entry


@dataclass(frozen=True)
class ReleaseEntry:
    """One packet in release.json: its status, and for a built or skipped packet what its manifest says."""

    packet_file: str
    status: PacketStatus
    error: str | None = None
    build_key: str | None = None
    files: dict[str, dict[str, Any]] | None = None
    inputs: dict[str, str] | None = None
    qa: dict[str, Any] | None = None
    engine: str | None = None
    model: str | None = None
    segments: int | None = None
    translated: int | None = None
    timings_s: dict[str, float] | None = None
    review: dict[str, int] | None = None
    memory: str | None = None  # as the manifest names it: no password
    build_seconds: float | None = None
    worker: WorkerInfo | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"packet_file": self.packet_file, "status": self.status}
        if self.error:
            data["error"] = self.error
        if self.build_key is not None:
            keys = (
                "build_key",
                "files",
                "inputs",
                "qa",
                "review",
                "engine",
                "model",
                "segments",
                "translated",
                "timings_s",
                "memory",
            )
            data.update({key: getattr(self, key) for key in keys})
        if self.worker is not None:
            data.update(build_seconds=self.build_seconds, worker=asdict(self.worker))
        return data


class _EventsToQueue(logging.Handler):
    """Forwards a worker's warnings (e.g. raw HTML in a summary) as events, so they reach the release log."""

    def __init__(self, put: Callable[[BuildEvent], None]) -> None:
        super().__init__(logging.WARNING)
        self.put = put

    def emit(self, record: logging.LogRecord) -> None:
        self.put(WarningEvent(record.getMessage()))


def build_in_worker(
    packet_file: str,
    out_dir: str,
    formats: tuple[str, ...],
    events: EventQueue,
    allow_outside: bool = False,
    require_review: ReviewLevel | None = None,
    memory: MemoryLocation | None = None,
) -> WorkerResult:
    """Build one packet in a worker process that shares the client's files; returns its status, manifest or
    error, and time taken."""

    def build(on_event: Callable[[BuildEvent], None]) -> tuple[Manifest, dict[str, bytes]]:
        path, out = Path(packet_file), Path(out_dir)
        return build_packet(path, out, formats, on_event, allow_outside, require_review, memory), {}

    return _in_worker(packet_file, events, build)[0]


@dataclass(frozen=True)
class ShippedResult:
    """What a worker on another machine sends back: the result, and the packet folder's files."""

    result: WorkerResult
    contents: dict[str, bytes]


def build_shipped(
    packet_file: str,
    files: dict[str, bytes],
    formats: tuple[str, ...],
    events: EventQueue,
    allow_outside: bool = False,
    require_review: ReviewLevel | None = None,
    memory: MemoryLocation | None = None,
    source_date_epoch: str | None = None,
) -> ShippedResult:
    """Build one packet on a worker that shares no files with the client: its inputs arrive as `files` (the
    client's absolute path -> content), are laid out under a private folder at the same paths, and the
    finished folder's files go back to the client, which writes them. The client's SOURCE_DATE_EPOCH
    travels too: the outputs' dates must not depend on which machine built them."""
    with tempfile.TemporaryDirectory(prefix="briefkit-worker-") as folder, _source_date_epoch(source_date_epoch):
        root = Path(folder)
        for name, data in files.items():
            mirrored = root / Path(name).relative_to("/")
            mirrored.parent.mkdir(parents=True, exist_ok=True)
            mirrored.write_bytes(data)
        packet = root / Path(packet_file).relative_to("/")

        def build(on_event: Callable[[BuildEvent], None]) -> tuple[Manifest, dict[str, bytes]]:
            return make_packet(packet, None, formats, on_event, allow_outside, require_review, memory)

        batched = _BatchedEvents(events)
        try:
            result, contents = _in_worker(packet_file, batched, build)
        finally:
            batched.flush()
        # messages name the files as the client knows them
        return ShippedResult(replace(result, error=result.error.replace(str(root), "")), contents)


class _BatchedEvents:
    """A remote worker's events, sent as lists at most twice a second: each put to a Dask queue is a round trip
    through the scheduler, whose CPU a small cluster shares with the workers."""

    INTERVAL_S = 0.5

    def __init__(self, queue: EventQueue) -> None:
        self.queue = queue
        self.waiting: list[WorkerEvent] = []
        self.sent = time.monotonic()

    def put(self, event: WorkerEvent) -> None:
        self.waiting.append(event)
        if time.monotonic() - self.sent >= self.INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            self.queue.put(self.waiting)
            self.waiting = []
        self.sent = time.monotonic()


@contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """Keep the worker's own long-lived objects (Dask's, the engine's) out of the cyclic garbage collector for
    one build: WeasyPrint makes many collections, and each scanned them all, which made a packet's PDF 13%
    slower on a Dask worker than in a plain process (`gc.freeze` brought it back; benchmarks/release.py).
    Thawed after, so that nothing that becomes garbage later is kept for good."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _source_date_epoch(value: str | None) -> Iterator[None]:
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    if value is not None:
        os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _in_worker(
    packet_file: str,
    events: EventQueue,
    build: Callable[[Callable[[BuildEvent], None]], tuple[Manifest, dict[str, bytes]]],
) -> tuple[WorkerResult, dict[str, bytes]]:
    def put(event: BuildEvent) -> None:
        events.put(WorkerEvent(packet_file, os.getpid(), event))

    handler = _EventsToQueue(put)
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    loads_before = engines.engines_loaded()
    started = time.perf_counter()
    manifest: Manifest | None = None
    contents: dict[str, bytes] = {}
    status: Literal["built", "failed"] = "failed"
    try:
        with _long_lived_objects_frozen():
            manifest, contents = build(put)
        status, error = "built", ""
    except BriefkitError as exc:
        error = str(exc)
    except Exception as exc:  # a bug, not bad input: still reported per packet, the release goes on
        error = f"internal error: {type(exc).__name__}: {exc}"
        put(WarningEvent(f"{packet_file}: internal error\n{traceback.format_exc()}"))
    finally:
        log.removeHandler(handler)
    worker = WorkerInfo(os.getpid(), engines.engines_loaded() > loads_before)
    return WorkerResult(status, error, manifest, time.perf_counter() - started, worker), contents


def _write_shipped(shipped: ShippedResult, out_dir: Path) -> WorkerResult:
    """Write a remote worker's packet folder here, whole or not at all."""
    result = shipped.result
    if result.status != "built" or result.manifest is None:
        return result
    try:
        write_folder_atomic(out_dir / result.manifest.packet, shipped.contents)
    except BriefkitError as exc:
        return replace(result, status="failed", error=str(exc))
    return result


def shipped_files(packet: Packet) -> list[Path]:
    """The files a worker without the client's file system needs for a packet: every file of its inputs
    folder (summaries, images, bibliography, glossary, styles, TMX) but the memory's own folder, and any
    file the packet names outside it."""
    inside = [
        p
        for p in packet.inputs_root.rglob("*")
        if p.is_file() and not p.is_symlink() and ".briefkit" not in p.relative_to(packet.inputs_root).parts
    ]
    named = [packet.path, *packet.summaries, *packet.bibliography, packet.glossary, packet.translations]
    outside = [p for p in named if p is not None and p.is_file() and not p.is_relative_to(packet.inputs_root)]
    return sorted({p.resolve() for p in [*inside, *outside]})


def default_packets(inputs: Path = Path("inputs")) -> list[Path]:
    return sorted(p for p in (inputs / "packets").glob("*.yaml") if not p.name.startswith("."))


def plan_release(
    packet_files: list[Path],
    out_dir: Path,
    formats: tuple[str, ...],
    force: bool,
    allow_outside: bool = False,
    require_review: ReviewLevel | None = None,
    memory: MemoryLocation | None = None,
) -> list[PacketOutcome]:
    """Read every packet and decide: skipped (its outputs are current), pending (to build) or failed."""
    outcomes = []
    seen: dict[str, str] = {}
    for path in packet_files:
        outcome = PacketOutcome(str(path.resolve()))
        outcomes.append(outcome)
        try:
            packet = load_packet(path, allow_outside, memory)
            packet_id = packet.id
            outcome.packet = packet
            recover_folder(out_dir / packet_id)
            manifest = None if force else current_manifest(packet, out_dir, formats)
        except BriefkitError as exc:
            outcome.status, outcome.error = "failed", str(exc)
            continue
        if packet_id in seen:  # reported under its file: under the id it would replace the other's entry
            outcome.status = "failed"
            outcome.error = f"{path}: packet id `{packet_id}` is also the id of {seen[packet_id]} (ids name folders)"
            continue
        outcome.packet_id = packet_id
        seen[packet_id] = str(path)
        if manifest is not None:
            outcome.status, outcome.manifest = "skipped", manifest
            try:  # unchanged, but perhaps not reviewed as far as now required
                check_review(packet, manifest.review, require_review)
            except BriefkitError as exc:
                outcome.status, outcome.error = "failed", str(exc)
    return outcomes


@dataclass(frozen=True)
class ReleaseReport:
    """release.json: how the release ran, and each packet's entry (by packet id, or file when it has none)."""

    toolkit_version: str
    executor: Executor
    jobs: int
    formats: list[str]
    seconds: float
    counts: dict[str, int]
    packets: dict[str, ReleaseEntry]

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def to_json(self) -> dict[str, Any]:
        data = {key: value for key, value in self.__dict__.items() if key != "packets"}
        return {**data, "packets": {name: entry.to_json() for name, entry in self.packets.items()}}


class Reporter(Protocol):
    def start(self, outcomes: list[PacketOutcome]) -> None: ...
    def event(self, event: WorkerEvent) -> None: ...
    def finished(self, outcome: PacketOutcome) -> None: ...
    def close(self, outcomes: list[PacketOutcome], release: ReleaseReport) -> None: ...


@dataclass(frozen=True)
class _BuildSettings:
    out_dir: Path
    formats: tuple[str, ...]
    allow_outside: bool
    require_review: ReviewLevel | None
    memory: MemoryLocation | None


Submit = Callable[[PacketOutcome], Any]  # starts a packet's build; returns a future of its result
Wait = Callable[[list[Any]], None]  # returns when one of the futures is done, or after a moment
WAIT_S = 0.25  # the longest a release waits before showing the workers' events
SCHEDULER_TIMEOUT_S = 10
SCHEDULER_ADDRESS = re.compile(r"(?:tcp://)?([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})", re.ASCII)


def check_scheduler_address(address: str) -> None:
    """`--scheduler`: HOST:PORT or tcp://HOST:PORT (a TLS scheduler needs certificates briefkit does not take)."""
    m = SCHEDULER_ADDRESS.fullmatch(address)
    if m is None or not 0 < int(m.group(2)) < 65536:
        raise BriefkitError(
            f"--scheduler must be HOST:PORT or tcp://HOST:PORT, got {address[:80]!r}", hint="e.g. tcp://10.0.0.5:8786"
        )


def probe_scheduler(address: str) -> None:
    """A Dask scheduler speaks first on a new connection; one that accepts and stays silent would hang the
    client's handshake, which no Dask timeout covers: wait SCHEDULER_TIMEOUT_S for its first bytes."""
    m = SCHEDULER_ADDRESS.fullmatch(address)
    assert m is not None  # checked by check_scheduler_address
    host = m.group(1).strip("[]")
    try:
        with socket.create_connection((host, int(m.group(2))), SCHEDULER_TIMEOUT_S) as connection:
            connection.settimeout(SCHEDULER_TIMEOUT_S)
            answered = bool(connection.recv(1))
    except TimeoutError:
        answered = False
    except OSError as exc:
        raise BriefkitError(
            f"cannot reach the Dask scheduler at {address}: {exc.strerror or exc}",
            hint="is `dask scheduler` running there?",
        ) from None
    if not answered:
        raise BriefkitError(
            f"{address} accepted the connection but did not answer as a Dask scheduler within {SCHEDULER_TIMEOUT_S} s",
            hint="is `dask scheduler` running there?",
        )


@contextmanager
def _local_executor(jobs: int, settings: _BuildSettings) -> Iterator[tuple[Submit, Callable[[], list[Any]], Wait]]:
    # forkserver: workers start clean (no threads or locks inherited from the display), each imports once
    context = multiprocessing.get_context("forkserver")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_leave_interrupts_to_the_client) as pool,
    ):
        queue = manager.Queue()

        def submit(outcome: PacketOutcome) -> Any:
            s = settings
            return pool.submit(
                build_in_worker,
                outcome.packet_file,
                str(s.out_dir),
                s.formats,
                queue,
                s.allow_outside,
                s.require_review,
                s.memory,
            )

        def drain() -> list[Any]:
            items = []
            while not queue.empty():
                items.append(queue.get_nowait())
            return items

        def wait(futures: list[Any]) -> None:
            concurrent.futures.wait(futures, timeout=WAIT_S, return_when=concurrent.futures.FIRST_COMPLETED)

        try:
            yield submit, drain, wait
        except BaseException:  # Ctrl-C, SIGTERM: stop now, not after every queued packet
            pool.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():  # the workers and the manager
                child.terminate()  # a packet being built is abandoned; its folder is swapped in whole or not at all
            raise


def _leave_interrupts_to_the_client() -> None:
    """A worker ignores Ctrl-C sent to the whole process group: the client stops the release, and the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Terminated(Exception):
    """SIGTERM, raised where the release is, so that it stops its workers on the way out."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def _terminate_as_exception() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


MAX_RESUBMITS = 2  # a packet whose build the executor cancelled is submitted again, this many times


@contextmanager
def _dask_executor(
    jobs: int, scheduler: str | None, settings: _BuildSettings
) -> Iterator[tuple[Submit, Callable[[], list[Any]], Wait]]:
    """Workers that share nothing with the client but the memory's database: each packet's input files are
    scattered to the cluster by content (each file travels to a worker once, whatever packets use it) and the
    finished folder comes back to be written here."""
    try:
        from distributed import Client, LocalCluster, Queue
        from distributed import wait as wait_for
    except ImportError:
        raise BriefkitError(
            "the dask executor needs Dask distributed", hint="pip install 'briefkit[cluster]'"
        ) from None
    logging.getLogger("distributed").setLevel(logging.WARNING)  # its import sets its own loggers to INFO
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        )
    if scheduler is not None:
        check_scheduler_address(scheduler)
        probe_scheduler(scheduler)
    try:
        try:
            client = Client(scheduler or cluster, set_as_default=False, timeout=SCHEDULER_TIMEOUT_S)
        except OSError as exc:
            raise BriefkitError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}", hint="is `dask scheduler` running there?"
            ) from None
        with client:
            queue = Queue(f"briefkit-events-{uuid.uuid4().hex}", client=client)
            scattered: dict[Path, Any] = {}

            def submit(outcome: PacketOutcome) -> Any:
                packet = outcome.packet
                assert packet is not None
                memory = settings.memory or packet.memory
                if scheduler is not None and not isinstance(memory, DatabaseUrl):
                    raise BriefkitError(
                        f"a release on a Dask cluster keeps its translation memory in PostgreSQL: workers on other "
                        f"machines cannot share the file {memory}",
                        hint="give --memory postgresql://… (or BRIEFKIT_MEMORY, or `memory:` in the packet)",
                    )
                names = shipped_files(packet)
                new = [name for name in names if name not in scattered]
                if new:
                    try:
                        data = [name.read_bytes() for name in new]
                    except OSError as exc:
                        raise BriefkitError(f"cannot read an input: {exc.strerror}", exc.filename) from None
                    scattered.update(zip(new, client.scatter(data, hash=True, broadcast=True)))
                files = {str(name): scattered[name] for name in names}
                s = settings
                return client.submit(
                    build_shipped,
                    outcome.packet_file,
                    files,
                    s.formats,
                    queue,
                    s.allow_outside,
                    s.require_review,
                    memory,
                    os.environ.get("SOURCE_DATE_EPOCH"),
                    pure=False,
                )

            def drain() -> list[Any]:
                return [event for batch in queue.get(batch=True) for event in batch]

            def wait(futures: list[Any]) -> None:
                try:
                    with client.as_current():
                        wait_for(futures, timeout=WAIT_S, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    pass

            yield submit, drain, wait
    finally:
        if cluster is not None:
            cluster.close()


def run_release(
    packet_files: list[Path],
    out_dir: Path,
    reporter: Reporter,
    jobs: int = 1,
    formats: tuple[str, ...] = FORMATS,
    force: bool = False,
    executor: Executor = "local",
    scheduler: str | None = None,
    allow_outside: bool = False,
    require_review: ReviewLevel | None = None,
    memory: MemoryLocation | None = None,
) -> ReleaseReport:
    """Build the packets that changed, write `out_dir/release.json`, and return it. `memory` replaces every
    packet's own."""
    out_dir = out_dir.resolve()
    with folder_lock(out_dir), _terminate_as_exception():
        return _run_locked(
            packet_files,
            out_dir,
            reporter,
            jobs,
            formats,
            force,
            executor,
            scheduler,
            allow_outside,
            require_review,
            memory,
        )


def _run_locked(
    packet_files: list[Path],
    out_dir: Path,
    reporter: Reporter,
    jobs: int,
    formats: tuple[str, ...],
    force: bool,
    executor: Executor,
    scheduler: str | None,
    allow_outside: bool,
    require_review: ReviewLevel | None,
    memory: MemoryLocation | None,
) -> ReleaseReport:
    started = time.perf_counter()
    outcomes = plan_release(packet_files, out_dir, formats, force, allow_outside, require_review, memory)
    reporter.start(outcomes)
    pending = [o for o in outcomes if o.status == "pending"]
    if pending:
        settings = _BuildSettings(out_dir, formats, allow_outside, require_review, memory)
        make = _dask_executor(jobs, scheduler, settings) if executor == "dask" else _local_executor(jobs, settings)
        with make as (submit, drain, wait):
            futures = {}
            cancelled: dict[str, int] = {}
            for outcome in pending:
                try:
                    if executor == "dask":  # the client writes the folder: check it here, as a build would
                        assert outcome.packet is not None
                        check_output_folder(out_dir, outcome.packet)
                    futures[submit(outcome)] = outcome
                except BriefkitError as exc:
                    outcome.status, outcome.error = "failed", str(exc)
                    reporter.finished(outcome)
            while futures:
                for event in drain():
                    reporter.event(event)
                for future in [f for f in futures if f.done()]:
                    outcome = futures.pop(future)
                    try:
                        result = future.result()
                    except concurrent.futures.CancelledError:
                        # Dask cancels a task whose worker died while the scheduler was rescheduling it ("for
                        # reason: unknown"): the build is whole or absent, so it is only built again
                        cancelled[outcome.packet_file] = cancelled.get(outcome.packet_file, 0) + 1
                        if cancelled[outcome.packet_file] <= MAX_RESUBMITS:
                            futures[submit(outcome)] = outcome
                        else:
                            outcome.status = "failed"
                            outcome.error = f"the executor cancelled this packet's build {MAX_RESUBMITS + 1} times"
                            reporter.finished(outcome)
                        continue
                    if isinstance(result, ShippedResult):
                        result = _write_shipped(result, out_dir)
                    for event in drain():
                        reporter.event(event)
                    outcome.status, outcome.error = result.status, result.error
                    outcome.manifest, outcome.seconds = result.manifest, result.seconds
                    outcome.worker = result.worker
                    reporter.finished(outcome)
                if futures:
                    wait(list(futures))
    release = ReleaseReport(
        toolkit_version=__version__,
        executor=executor,
        jobs=jobs,
        formats=list(formats),
        seconds=round(time.perf_counter() - started, 3),
        counts={s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")},
        packets={o.packet_id or o.packet_file: o.summary() for o in outcomes},
    )
    release_json = json.dumps(release.to_json(), indent=2, ensure_ascii=False) + "\n"
    write_atomic(out_dir / "release.json", release_json.encode())
    reporter.close(outcomes, release)
    return release
