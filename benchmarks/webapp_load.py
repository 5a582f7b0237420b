"""Load test of the web app on localhost: concurrent sessions open pages while some of them run scenarios.

The app runs in its own process (as ``workbench app`` would), on a free local port, with a fresh
users file and database. With the real pages and job (``workbench.webapp.pages.PAGES`` and
``workbench.webapp.jobs.run_scenario_job``) and ``--experiment``, it serves those; otherwise it
serves small test pages and a CPU-bound test job (:func:`workbench.webapp.runs.cpu_job`).

Every session logs in over HTTP (the login form), then opens the pages its role allows in a loop
with a seeded think time between pages (by default one run at 0.5-1.5 s, a stress far above what
20 people clicking do, and one at 2-6 s). A page response is the time of ``GET /<page>``: the
server checks the session and role, builds the page for that session and sends the HTML (the
browser would then load the document over the websocket; that part is not timed). The runner
sessions (managers) also submit runs one after another, each as soon as their previous run has
finished, through a benchmark-only endpoint added to this process's server that does what the
what-if page's run button does (role check, then ``RunManager.submit``), and poll the run's
state. The test ends when every runner's runs are finished (or at ``--max-seconds``); a run is
*unfinished* when it is still queued or running 60 s after the end (the app is then stopped, which
marks it failed), and *lost* when a submitted run is missing from the database.

Usage::

    python benchmarks/webapp_load.py                  # 20 sessions, 5 runners x 2 runs, prints the table
    python benchmarks/webapp_load.py --write          # also writes benchmarks/results/webapp_load.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "webapp_load.md"
ROLE_PAGES = {"manager": ("overview", "whatif", "atrisk", "audit"), "analyst": ("overview", "atrisk"),
              "reviewer": ("overview", "audit")}


# -- the server process ------------------------------------------------------------------------------
def _test_pages() -> dict[str, Any]:
    def factory(name: str) -> Any:
        def page(context: Any) -> Any:
            import pandas as pd
            import panel as pn

            _ = context.translator.gettext
            runs = context.store.runs(limit=20)
            table = pd.DataFrame([{"run": r.id, "status": r.status, "progress": r.progress} for r in runs])
            return pn.Column(pn.pane.Markdown(f"# {name}\n\n{context.user.name} · {_('Log in')}"),
                             pn.pane.DataFrame(table, max_rows=20), pn.widgets.Button(name="Run"))
        return page

    return {name: factory(name) for name in ROLE_PAGES["manager"]}


def _real() -> tuple[dict[str, Any], Any] | None:
    try:
        from workbench.webapp.jobs import run_scenario_job  # type: ignore[import-not-found,unused-ignore]
        from workbench.webapp.pages import PAGES  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return PAGES, run_scenario_job  # as it is: the server warms up its shared content


def serve(config_path: Path) -> None:
    """The app process: the server plus the benchmark's run endpoints; stops on SIGTERM."""
    import asyncio

    import tornado.web

    from workbench.webapp.accounts import AccessDenied, UsersFile, require
    from workbench.webapp.runs import cpu_job
    from workbench.webapp.server import app_core, make_server, warm_up
    from workbench.webapp.settings import AppSettings

    config = json.loads(config_path.read_text(encoding="utf-8"))
    settings = AppSettings(**config["settings"])
    real = _real() if config["real"] else None
    pages, job = real if real is not None else (_test_pages(), cpu_job)
    asyncio.set_event_loop(asyncio.new_event_loop())
    server = make_server(settings, pages, job, users=UsersFile(settings.users_file))
    core = app_core(server)
    spec = config["spec"]

    class Submit(tornado.web.RequestHandler):
        def post(self) -> None:
            user = core.identify(self.request)
            if user is None:
                raise tornado.web.HTTPError(403)
            try:
                require(user, "run_scenario")
            except AccessDenied:
                raise tornado.web.HTTPError(403) from None
            seed = int(self.get_body_argument("seed", "1"))
            self.finish({"run": core.runs.submit(spec={**spec, "seed": seed}, user=user.name)})

    class Status(tornado.web.RequestHandler):
        def get(self, run_id: str) -> None:
            if core.identify(self.request) is None:
                raise tornado.web.HTTPError(403)
            record = core.store.run(int(run_id))
            self.finish({"status": record.status, "progress": record.progress, "error": record.error})

    server._tornado.add_handlers(r".*", [(r"/bench/submit", Submit), (r"/bench/run/(\d+)", Status)])
    warmed = warm_up(server)  # as `workbench app` does: the pages' shared content before the first user
    server.start()
    lags: list[tuple[float, float, int]] = []  # (time, event-loop lag in s, open sessions)
    expected = [time.perf_counter() + 0.05]

    def tick() -> None:  # how late the event loop runs a 50 ms timer: what every click on a page would wait
        now = time.perf_counter()
        sessions = sum(len(server._tornado.get_sessions(f"/{p}")) for p in pages)
        lags.append((now, max(0.0, now - expected[0]), sessions))
        expected[0] = now + 0.05

    from tornado.ioloop import PeriodicCallback

    PeriodicCallback(tick, 50).start()
    signal.signal(signal.SIGTERM, lambda *_: server.io_loop.add_callback(server.io_loop.stop))
    print(json.dumps({"ready": True, "real": real is not None, "warm_up_s": warmed}), flush=True)
    server.io_loop.start()
    server.stop()
    core.runs.shutdown()
    core.store.dispose()
    Path(config["lag_file"]).write_text(json.dumps(lags), encoding="utf-8")


# -- the load driver ---------------------------------------------------------------------------------
@dataclass
class Tally:
    pages: list[tuple[float, float, bool]] = field(default_factory=list)  # (start, seconds, runs busy)
    logins: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    runs: dict[int, str] = field(default_factory=dict)
    busy: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _session(base: str, name: str, password: str, role: str, runs: int, seed: int, stop: threading.Event,
             tally: Tally, think: tuple[float, float]) -> None:
    import requests

    rng = np.random.default_rng(seed)
    http = requests.Session()
    started = time.perf_counter()
    http.get(f"{base}/login")
    answer = http.post(f"{base}/login", data={"name": name, "password": password, "_xsrf": http.cookies["_xsrf"]},
                       allow_redirects=False)
    if answer.status_code != 302:
        with tally.lock:
            tally.errors.append(f"login {name}: HTTP {answer.status_code}")
        return
    with tally.lock:
        tally.logins.append(time.perf_counter() - started)
    current: int | None = None
    submitted = 0
    while not stop.is_set():
        if runs and current is None and submitted < runs:
            answer = http.post(f"{base}/bench/submit", data={"seed": str(seed * 100 + submitted)})
            if answer.status_code == 200:
                current = int(answer.json()["run"])
                submitted += 1
                with tally.lock:
                    tally.runs[current] = "queued"
                    tally.busy += 1
            else:
                with tally.lock:
                    tally.errors.append(f"submit {name}: HTTP {answer.status_code}")
        page = ROLE_PAGES[role][int(rng.integers(len(ROLE_PAGES[role])))]
        with tally.lock:
            busy = tally.busy > 0
        t0 = time.perf_counter()
        try:
            answer = http.get(f"{base}/{page}", timeout=60)
            seconds = time.perf_counter() - t0
            ok = answer.status_code == 200
        except requests.RequestException as exc:
            seconds, ok = time.perf_counter() - t0, False
            answer = None  # type: ignore[assignment]
            with tally.lock:
                tally.errors.append(f"GET /{page} {name}: {type(exc).__name__}")
        with tally.lock:
            if ok:
                tally.pages.append((t0, seconds, busy))
            elif answer is not None:
                tally.errors.append(f"GET /{page} {name}: HTTP {answer.status_code}")
        if current is not None:
            state = http.get(f"{base}/bench/run/{current}").json()["status"]
            with tally.lock:
                tally.runs[current] = state
                if state in ("done", "failed", "cancelled"):
                    tally.busy -= 1
                    current = None
        if runs and submitted >= runs and current is None:
            runs = 0  # this runner is done; it keeps browsing until the others finish
        stop.wait(float(rng.uniform(*think)))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` itself (Linux /proc; children not included)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100)) if values else float("nan")


def run_load(args: argparse.Namespace) -> dict[str, Any]:
    import requests

    from workbench.webapp.accounts import UsersFile

    folder = Path(tempfile.mkdtemp(prefix="wb-load-"))
    outputs = Path(args.outputs) if args.outputs else folder / "outputs"
    outputs.mkdir(parents=True, exist_ok=True)
    users = UsersFile(folder / "users.json")
    plan: list[tuple[str, str, str, int]] = []
    others = ["analyst", "reviewer", "manager"]
    for i in range(args.sessions):
        role = "manager" if i < args.runners else others[(i - args.runners) % 3]
        name, password = f"user{i + 1:02d}", secrets.token_urlsafe(12)
        users.add(name, password, [role])  # type: ignore[list-item]
        plan.append((name, password, role, args.runs_per_runner if i < args.runners else 0))
    real = _real() is not None and args.experiment is not None
    if real:
        import yaml

        spec: dict[str, Any] = {"experiment": str(args.experiment), "outputs": str(outputs),
                                "scenario": yaml.safe_load(Path(args.scenario).read_text(encoding="utf-8")),
                                "replications": args.replications}
    else:
        spec = {"seconds": args.job_seconds, "steps": 20}
    port = _free_port()
    settings = {"experiment": str(args.experiment or folder / "experiment.yaml"), "outputs": str(outputs),
                "users_file": str(users.path), "database_url": f"sqlite:///{folder / 'app.sqlite'}",
                "cookie_secret": secrets.token_hex(32), "port": port, "max_parallel_runs": args.max_parallel,
                "login_max_failures": 1000}
    config = folder / "config.json"
    lag_file = folder / "lags.json"
    config.write_text(json.dumps({"settings": settings, "real": real, "spec": spec, "lag_file": str(lag_file)}),
                      encoding="utf-8")
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(config)], stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the app process did not start")
    ready = json.loads(line)
    real_served, warm_up_s = bool(ready["real"]), float(ready.get("warm_up_s", 0.0))
    base = f"http://127.0.0.1:{port}"
    requests.get(f"{base}/login", timeout=30)

    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=_session, args=(base, name, password, role, runs, args.seed + i, stop, tally,
                                      args.think_range),
                                daemon=True) for i, (name, password, role, runs) in enumerate(plan)]
    started = time.perf_counter()
    cpu_before = _cpu_seconds(process.pid)
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    expected = args.runners * args.runs_per_runner
    while time.perf_counter() - started < args.max_seconds:
        time.sleep(1)
        with tally.lock:
            finished = sum(s in ("done", "failed", "cancelled") for s in tally.runs.values())
        if finished >= expected and time.perf_counter() - started >= args.min_seconds:
            break
    stop.set()
    for thread in threads:
        thread.join(120)
    elapsed = time.perf_counter() - started
    server_cpu = _cpu_seconds(process.pid) - cpu_before

    # Final states from the database, after a grace period for runs still going.
    from workbench.webapp.store import Store

    store = Store(settings["database_url"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(r.status in ("queued", "running") for r in store.runs(limit=1000)):
        time.sleep(1)
    records = {r.id: r for r in store.runs(limit=1000)}
    store.dispose()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
    lags = json.loads(lag_file.read_text(encoding="utf-8")) if lag_file.exists() else []
    worst = sorted(lags, key=lambda x: -x[1])[:5]
    statuses = [records[i].status if i in records else "missing" for i in tally.runs]
    durations = [(r.finished_at - r.created_at).total_seconds() for r in records.values() if r.finished_at]
    times = [s for _, s, _ in tally.pages]
    busy = [s for _, s, b in tally.pages if b]
    return {
        "real": real_served, "sessions": args.sessions, "runners": args.runners, "expected_runs": expected,
        "submitted": len(tally.runs), "done": statuses.count("done"), "failed": statuses.count("failed"),
        "cancelled": statuses.count("cancelled"),
        "unfinished": sum(s in ("queued", "running") for s in statuses),
        "lost": statuses.count("missing"),
        "failures": sorted({(records[i].error or "")[:120] for i in tally.runs if i in records
                            and records[i].status == "failed"}),
        "pages": len(times), "errors": len(tally.errors), "error_samples": tally.errors[:5],
        "p50": _percentile(times, 0.5), "p95": _percentile(times, 0.95), "max": max(times, default=float("nan")),
        "busy_pages": len(busy), "busy_p50": _percentile(busy, 0.5), "busy_p95": _percentile(busy, 0.95),
        "login_p50": statistics.median(tally.logins) if tally.logins else float("nan"),
        "run_seconds_median": statistics.median(durations) if durations else float("nan"),
        "elapsed": elapsed, "job": "run_scenario_job" if real_served else f"cpu_job ({args.job_seconds:g} s)",
        "max_parallel": args.max_parallel, "runs_per_runner": args.runs_per_runner,
        "lag_p95": _percentile([x[1] for x in lags], 0.95), "lag_max": max((x[1] for x in lags), default=float("nan")),
        "lag_worst": [(round(x[1], 3), x[2]) for x in worst],
        "sessions_max": max((x[2] for x in lags), default=0),
        "server_cpu": server_cpu, "server_cpu_per_page": server_cpu / max(1, len(times)),
        "warm_up_s": warm_up_s,
    }


def _met(result: dict[str, Any]) -> bool:
    return (result["lost"] == 0 and result["unfinished"] == 0 and result["failed"] == 0 and result["done"] == result["expected_runs"]
            and result["busy_p95"] < 1.0)


def render(results: list[dict[str, Any]], command: str) -> str:
    first = results[0]
    pages = "the real pages" if first["real"] else "small test pages (a Markdown pane, a table of runs, a button)"
    load = os.getloadavg()
    lines = [
        "# Web app load test: concurrent sessions while scenarios run",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {date.today().isoformat()}; load average at the end "
        f"{load[0]:.1f} (the 2 cores are shared with other engineers' jobs, so the app got well under 2 cores).",
        "",
        f"Command: `{command}`",
        "",
        f"The app ran in its own process on 127.0.0.1 with {pages} and the job {first['job']}, at most "
        f"{first['max_parallel']} runs at once (the rest queued; run processes at nice 10), SQLite database. "
        f"{first['sessions']} sessions logged in over HTTP and opened the pages their role allows in a loop, "
        f"waiting a think time between pages; {first['runners']} of them (managers) each submitted "
        f"{first['runs_per_runner']} runs one after another. A page response is `GET /<page>`: session and role "
        "check, the page built for that session, the HTML sent (the websocket part a browser does next is not "
        "timed). Each think-time setting is a separate run of the test with a fresh app.",
        "",
        "| think time between pages (s) | " + " | ".join(r["think"] for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]

    def row(label: str, cell: Any) -> str:
        return f"| {label} | " + " | ".join(cell(r) for r in results) + " |"

    lines += [
        row("runs expected / submitted / done / failed / cancelled / unfinished / lost",
            lambda r: f"{r['expected_runs']} / {r['submitted']} / {r['done']} / {r['failed']} / {r['cancelled']} / "
                      f"{r['unfinished']} / {r['lost']}"),
        row("median run time, queue included (s)", lambda r: f"{r['run_seconds_median']:.1f}"),
        row("page responses (errors)", lambda r: f"{r['pages']} ({r['errors']})"),
        row("pages per second, all sessions", lambda r: f"{r['pages'] / r['elapsed']:.1f}"),
        row("page response p50 / p95 / max, all (s)", lambda r: f"{r['p50']:.3f} / {r['p95']:.3f} / {r['max']:.3f}"),
        row("page response p50 / p95 while runs were going (s)",
            lambda r: f"{r['busy_p50']:.3f} / {r['busy_p95']:.3f} ({r['busy_pages']} responses)"),
        row("server event-loop lag p95 / max (s)", lambda r: f"{r['lag_p95']:.3f} / {r['lag_max']:.3f}"),
        row("most open page sessions at once", lambda r: f"{r['sessions_max']}"),
        row("app process CPU: total (s) / per page response (ms) / share of one core",
            lambda r: f"{r['server_cpu']:.1f} / {1000 * r['server_cpu_per_page']:.0f} / "
                      f"{r['server_cpu'] / r['elapsed']:.2f}"),
        row("login median (s)", lambda r: f"{r['login_p50']:.3f}"),
        row("app start: shared content built before the first login (s)", lambda r: f"{r.get('warm_up_s', 0.0):.1f}"),
        row("test duration (s)", lambda r: f"{r['elapsed']:.0f}"),
        row("target met: every run done, none unfinished or lost, p95 < 1 s while runs go",
            lambda r: "**yes**" if _met(r) else "**no**"),
    ]
    for r in results:
        if r["failures"]:
            lines += ["", f"Failed runs ({r['think']} s) said: " + "; ".join(f"`{f}`" for f in r["failures"])]
        if r["error_samples"]:
            lines += ["", f"First errors ({r['think']} s): " + "; ".join(f"`{e}`" for e in r["error_samples"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--runners", type=int, default=5)
    parser.add_argument("--runs-per-runner", type=int, default=2)
    parser.add_argument("--max-parallel", type=int, default=2)
    parser.add_argument("--job-seconds", type=float, default=8.0, help="CPU seconds of the test job")
    parser.add_argument("--experiment", type=Path, help="experiment YAML, to use the real pages and job")
    parser.add_argument("--outputs", type=Path, help="its pipeline outputs folder")
    parser.add_argument("--scenario", type=Path, default=Path("configs/scenarios/demo_add_infra_staff.yaml"))
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", action="append", default=None,
                        help="think time range in seconds between a session's pages, e.g. 0.5-1.5 (repeat for "
                             "several runs; default: 0.5-1.5 and 2-6)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/results/webapp_load.md")
    parser.add_argument("--append", action="store_true", help="with --write: add to the file instead of replacing it")
    args = parser.parse_args(argv)
    args.think = args.think or ["0.5-1.5", "2-6"]
    if args.serve is not None:
        serve(args.serve)
        return
    results = []
    for think in args.think:
        low, _, high = think.partition("-")
        args.think_range = (float(low), float(high or low))
        result = run_load(args)
        result["think"] = think
        results.append(result)
    command = "python benchmarks/webapp_load.py " + " ".join(a for a in (argv if argv is not None else sys.argv[1:])
                                                            if a not in ("--write", "--append"))
    text = render(results, command.strip())
    print(text)
    if args.write:
        if args.append and RESULTS.exists():
            text = RESULTS.read_text(encoding="utf-8") + "\n" + text.replace("# Web app load test", "## Web app load test", 1)
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
