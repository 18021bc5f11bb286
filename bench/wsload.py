"""Concurrent viewers at the WebSocket level (issue 15): N sessions open the overview at once and change a filter.

`python -m bench.wsload [--sessions 10,25,50] [--store DIR] [--linger 60]`

Why a WebSocket client and not N Chromium contexts (`bench.interactive`, section 5 of results.md): 50 browsers
on the same two cores measure mostly the browsers (each runs Streamlit's frontend and Plotly), so those times
were an upper bound dominated by the client. This client speaks Streamlit's own protocol (the `BackMsg` /
`ForwardMsg` protobufs on `/_stcore/stream`, as the frontend does) and costs almost nothing, so what it measures
is the server: how long until the first chart's element has been *sent* to each session. The browser's own
Plotly render comes on top (the single-session first-chart runs in `bench.interactive` measure that).

Per batch of N sessions, all started together:
- **first chart**: ms from opening the WebSocket until the first `plotly_chart` element arrives;
- **filter change**: each session then selects a (different) stadsdeel in the sidebar's "Stadsdelen" multiselect,
  as the frontend does (a `rerun_script` with that widget's state); ms until the first chart arrives again;
- **errors**: exception elements, sessions without a chart within the timeout, dropped connections;
- server **RSS** (VmRSS of the Streamlit process) peak during the batch, and every 5 s for `--linger` s after
  the last batch closed, against one session's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

from bench.common import StreamlitServer, emit, rss_mb
from bench.interactive import RssSampler

TIMEOUT_S = 600
FILTER_LABEL = "Stadsdelen"


@dataclass
class Session:
    """One viewer: what arrived, when."""

    started: float = 0.0
    first_chart_ms: float | None = None
    change_ms: float | None = None
    exceptions: int = 0
    error: str | None = None
    filter_id: str | None = None
    filter_options: list[str] = field(default_factory=list)
    page_hash: str = ""
    charts: list[str] = field(default_factory=list)  # every chart figure received, in order


def _rerun(query: str, page_hash: str = "", widgets: list[WidgetState] | None = None) -> bytes:
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_script_hash = page_hash
    state.context_info.CopyFrom(ContextInfo(timezone="Europe/Amsterdam", timezone_offset=-60, locale="nl-NL",
                                            url="http://127.0.0.1/overzicht", is_embedded=False,
                                            color_scheme="light"))
    if widgets:
        state.widget_states.CopyFrom(WidgetStates(widgets=widgets))
    return msg.SerializeToString()


def _note(msg: ForwardMsg, session: Session) -> str | None:
    """Note what the session needs from one message (page hash, filter widget, exceptions, the first chart's
    figure); "chart" when a Plotly chart arrived, "finished" at the end of the run, else None."""
    kind = msg.WhichOneof("type")
    if kind == "new_session":
        session.page_hash = msg.new_session.page_script_hash
    elif kind == "script_finished":
        return "finished"
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            session.exceptions += 1
        elif which == "multiselect" and element.multiselect.label == FILTER_LABEL:
            session.filter_id = element.multiselect.id
            session.filter_options = list(element.multiselect.options)
        elif which == "plotly_chart":
            session.charts.append(element.plotly_chart.spec)
            return "chart"
    return None


async def _read_until(ws, session: Session, wanted: str) -> None:
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await ws.recv())
        if _note(msg, session) == wanted:
            return


async def _until_chart(ws, session: Session) -> float:
    """Read messages until a Plotly chart element arrives; ms since `session.started`."""
    await _read_until(ws, session, "chart")
    return (time.perf_counter() - session.started) * 1000


async def _drain(ws, session: Session) -> None:
    """Read to the end of the run (`script_finished`); later charts of the run are noted but not timed."""
    await _read_until(ws, session, "finished")


async def one_viewer(url: str, index: int, go: asyncio.Event, changed: asyncio.Event, ready: list[int],
                     n: int) -> Session:
    import websockets

    session = Session()
    host = url.removeprefix("http://")
    await go.wait()
    session.started = time.perf_counter()
    try:
        async with websockets.connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"],
                                      origin=url, max_size=None, open_timeout=TIMEOUT_S) as ws:
            await ws.send(_rerun(""))
            session.first_chart_ms = await asyncio.wait_for(_until_chart(ws, session), TIMEOUT_S)
            await asyncio.wait_for(_drain(ws, session), TIMEOUT_S)
            ready.append(index)
            if len(ready) == n:
                changed.set()
            await changed.wait()  # every session changes its filter at the same moment
            if session.filter_id is None or not session.filter_options:
                raise RuntimeError("no Stadsdelen filter on the page")
            choice = session.filter_options[index % len(session.filter_options)]
            widget = WidgetState(id=session.filter_id)
            widget.string_array_value.data[:] = [choice]
            first_of_change = len(session.charts)  # the change run's first chart is appended here
            started = time.perf_counter()
            await ws.send(_rerun("", session.page_hash, [widget]))
            session.started = started
            session.change_ms = await asyncio.wait_for(_until_chart(ws, session), TIMEOUT_S)
            await asyncio.wait_for(_drain(ws, session), TIMEOUT_S)
            if session.charts[0] == session.charts[first_of_change]:
                raise RuntimeError(f"the chart did not change after choosing {choice}")
    except Exception as exc:  # any failure is an error of this session, reported, not a crash of the benchmark
        session.error = f"{type(exc).__name__}: {exc}"[:200]
        ready.append(index)
        if len(ready) == n:
            changed.set()
    return session


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "max": max(values) if values else None, "mean": statistics.fmean(values) if values else None}


async def batch(url: str, n: int) -> list[Session]:
    go, changed, ready = asyncio.Event(), asyncio.Event(), []
    tasks = [asyncio.create_task(one_viewer(url, i, go, changed, ready, n)) for i in range(n)]
    go.set()
    return list(await asyncio.gather(*tasks))


def run(store: Path, sessions: list[int], linger: float) -> dict:
    logs = Path(tempfile.mkdtemp(prefix="cohort-bench-wsload-"))
    server = StreamlitServer(store, logs / "server.log")
    sampler = RssSampler(server.pid)
    try:
        [warm] = asyncio.run(batch(server.url, 1))  # the first viewer builds the page model; measured apart
        time.sleep(2)
        one_session = rss_mb(server.pid)
        result: dict = {"first_viewer": {"first_chart_ms": warm.first_chart_ms, "change_ms": warm.change_ms,
                                         "error": warm.error},
                        "one_session_rss_mb": one_session, "batches": [], "server_log": str(logs / "server.log")}
        for n in sessions:
            sampler.reset()
            started = time.perf_counter()
            done = asyncio.run(batch(server.url, n))
            elapsed = time.perf_counter() - started
            errors = [s.error for s in done if s.error] + ["exception element"] * sum(s.exceptions for s in done)
            row = {"sessions": n, "errors": len(errors), "error_samples": errors[:3],
                   "first_chart_ms": summary([s.first_chart_ms for s in done if s.first_chart_ms is not None]),
                   "change_ms": summary([s.change_ms for s in done if s.change_ms is not None]),
                   "batch_s": elapsed, "rss_peak_mb": sampler.peak(), "rss_after_mb": rss_mb(server.pid)}
            result["batches"].append(row)
            print(f"{n} sessions: {row['errors']} errors, first chart p50/p95 {row['first_chart_ms']['p50']:.0f}/"
                  f"{row['first_chart_ms']['p95']:.0f} ms, change p50/p95 {row['change_ms']['p50']:.0f}/"
                  f"{row['change_ms']['p95']:.0f} ms, RSS peak {row['rss_peak_mb']:.0f} MB", flush=True)
            time.sleep(2)
        closed = time.perf_counter()
        trace = []
        while time.perf_counter() - closed < linger:
            time.sleep(5)
            trace.append((round(time.perf_counter() - closed), rss_mb(server.pid)))
        result["after_close_trace"] = trace
        return result
    finally:
        sampler.stop()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", default="10,25,50")
    parser.add_argument("--store", help="a store directory (default: an empty one, so the example data)")
    parser.add_argument("--linger", type=float, default=60)
    args = parser.parse_args()
    store = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="cohort-bench-wsload-store-")) / "store"
    emit(run(store, [int(n) for n in args.sessions.split(",")], args.linger))


if __name__ == "__main__":
    main()
