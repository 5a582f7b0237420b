"""CLI: staffing and volume sweeps (``workbench sweep``), in process or on a Dask cluster."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workbench.cli._compute import close_executor, make_command_executor, scheduler_option
from workbench.cli._learning import calibrate_option
from workbench.cli._progress import progress_line
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from workbench.compute import Executor
    from workbench.config import LogConfig
    from workbench.io.outputs import OutputFolder
    from workbench.simulation.model import SimulationModel
    from workbench.simulation.verdict import Caution
    from workbench.sweeps import ServiceTarget, StaffAnswer, SweepGrid, SweepResult

_RANGE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")


def parse_staff(text: str) -> tuple[int, ...]:
    """``"1..6"`` or ``"2,3,5"`` -> staff counts; anything else raises :class:`ConfigError`."""
    m = _RANGE.match(text)
    if m:
        lo, hi = int(m[1]), int(m[2])
        if lo > hi:
            raise ConfigError(f"--staff {text}: the range must go up, e.g. 1..6")
        return tuple(range(lo, hi + 1))
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(f"--staff '{text}' is not a range such as 1..6 or a list such as 2,3,5") from None
    if any(v < 0 for v in values):
        raise ConfigError(f"--staff '{text}': staff must be 0 or more")
    return tuple(sorted(set(values)))


def parse_floats(text: str, option: str) -> tuple[float, ...]:
    """``"0.8,1,1.2"`` -> floats; anything else raises :class:`ConfigError`."""
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(
            f"{option} '{text}' is not a comma-separated list of numbers such as 0.8,1,1.2"
        ) from None


def sweep(
    log_config: Path = typer.Argument(..., help="Log config YAML the model is learned from."),
    team: str | None = typer.Option(None, "--team", help="Team whose staff is swept, e.g. IT-infrastruktur."),
    staff: str | None = typer.Option(None, "--staff", help="Staff counts: a range 1..6 or a list 2,3,5."),
    volume: str = typer.Option("1", "--volume", help="Volume factors, e.g. 0.8,1,1.2."),
    route_at: str | None = typer.Option(None, "--route-at", help="Routing axis: the activity cases leave."),
    route_to: str | None = typer.Option(
        None, "--route-to", help="Routing axis: the next step whose share is set."
    ),
    shares: str | None = typer.Option(None, "--shares", help="Routing axis: shares, e.g. 0.1,0.2,0.3."),
    target: str | None = typer.Option(
        None, "--target", help="Service target, e.g. 'resolved_within:2d>=0.9' or 'cycle_time_p90_h<=40'."
    ),
    search: str = typer.Option(
        "grid", "--search", help="grid (every point) or bisect (smallest staff meeting --target)."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    replications: int = typer.Option(10, "--replications", "-n", min=1, help="Replications per point."),
    seed: int = typer.Option(0, "--seed", help="Root seed; the same seed gives the same numbers."),
    days: float | None = typer.Option(None, "--days", help="Days to simulate (default: the log's period)."),
    warmup_days: float = typer.Option(14.0, "--warmup-days", min=0, help="Days of warm-up left out."),
    model_path: Path | None = typer.Option(None, "--model", help="A saved model instead of learning one."),
    scheduler: str | None = scheduler_option("the sweep"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Local worker processes (default 1; with --dask one per core)."
    ),
    dask: bool = typer.Option(False, "--dask", help="Run on a local Dask cluster started for this command."),
    language: str = typer.Option("en", "--language", help="Language of report.html: da or en."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds files the workbench did not "
                               "write (inputs are never overwritten)."),
    allow_unusable: bool = typer.Option(
        False, "--allow-unusable", help="Sweep even on a model judged not usable (every figure marked)."
    ),
    calibrate: bool = calibrate_option(),
    per_task: int = typer.Option(1, "--per-task", min=1, help="Replications of one point per task (fewer, "
                                 "longer tasks on a cluster; the numbers do not change)."),
) -> None:
    """Sweep staff, volume and routing shares, and find the smallest staffing that meets a target.

    Writes to --out: sweep_curve.csv (per point and measure: mean and 95% interval, and
    whether the target is met), sweep_runs.csv (per replication), sweep_curve.png/.svg and
    report.html (the staffing curve with its intervals, the answer and every point).
    """
    from workbench.config import load_log_config
    from workbench.i18n import check_language
    from workbench.io.outputs import OutputFolder
    from workbench.simulation.verdict import UNUSABLE_MARK, caution_note
    from workbench.sweeps import (
        RoutingShare,
        SimulationSettings,
        SweepGrid,
        parse_target,
        run_sweep,
        smallest_staff,
    )

    check_language(language)
    if search not in ("grid", "bisect"):
        raise ConfigError(f"--search must be grid or bisect, got '{search}'")
    staff_values = parse_staff(staff) if staff else ()
    if staff_values and team is None:
        raise ConfigError("--staff needs --team (the team whose staff changes)")
    routing = None
    if any(v is not None for v in (route_at, route_to, shares)):
        if route_at is None or route_to is None or shares is None:
            raise ConfigError("a routing axis needs all of --route-at, --route-to and --shares")
        values = parse_floats(shares, "--shares")
        if any(not 0 <= v <= 1 for v in values):
            raise ConfigError(f"--shares '{shares}': shares must be between 0 and 1")
        routing = RoutingShare(at=route_at, to=route_to, shares=values)
    grid = SweepGrid(team=team, staff=staff_values, volume=parse_floats(volume, "--volume"), routing=routing)
    goal = parse_target(target) if target else None
    if search == "bisect" and (
        goal is None or len(staff_values) < 1 or routing is not None or len(grid.volume) != 1
    ):
        raise ConfigError(
            "--search bisect needs --target, --team, --staff low..high and one --volume (no routing axis)"
        )
    config = load_log_config(log_config)
    folder = OutputFolder.open(out, inputs=[config.source.path, log_config, model_path], force=force)
    for name in OUTPUT_FILES:
        folder.target(name)  # an input named like an output fails now, not after the simulations
    executor = make_command_executor(scheduler, workers if dask else workers or 1, local_dask=dask)
    simulation = SimulationSettings(
        replications=replications, seed=seed, days=days, warmup_days=warmup_days, per_task=per_task
    )
    try:
        model, marked, cautions = _model(config, model_path, grid=grid, target=goal, calibrate=calibrate,
                                         seed=seed, executor=executor, allow_unusable=allow_unusable)
        if search == "bisect":
            assert goal is not None and team is not None
            answer = smallest_staff(
                model,
                team=team,
                target=goal,
                low=min(staff_values),
                high=max(staff_values),
                volume=grid.volume[0],
                executor=executor,
                progress=progress_line("bisecting: simulation"),
                **simulation,
            )
            result = answer.sweep
        else:
            answer = None
            result = run_sweep(
                model,
                grid,
                target=goal,
                executor=executor,
                progress=progress_line("sweeping: simulation"),
                **simulation,
            )
    finally:
        close_executor(executor)
    mark = f"{UNUSABLE_MARK} " if marked else ""
    with folder.batch():
        folder.write_table("sweep_curve.csv", result.curve)
        folder.write_table("sweep_runs.csv", result.runs)
        _plot(result, folder)
        _report(result, answer, cautions, folder, title=f"{mark}Staffing sweep: {config.name}", language=language)
    if marked:
        typer.echo(f"{UNUSABLE_MARK} the model does not reproduce the log: every figure below is marked")
    for caution in cautions:
        typer.echo(f"caution: {caution_note(caution)}")
    if answer is not None:
        if answer.staff is None:
            typer.echo(
                f"No staffing of {team} in {answer.low}..{answer.high} meets {goal}: at {answer.high} the mean is "
                f"{answer.mean:.3f} (95% CI {answer.ci_low:.3f} to {answer.ci_high:.3f})"
            )
        else:
            typer.echo(
                f"Smallest staffing of {team} that meets {goal}: {answer.staff} "
                f"(mean {answer.mean:.3f}, 95% CI {answer.ci_low:.3f} to {answer.ci_high:.3f})"
            )
    elif goal is not None:
        rows = result.curve[result.curve["measure"] == goal.measure]
        for _, r in rows.iterrows():
            axes = [
                f"{a} {r[a]:g}"
                for a in ("staff", "volume", "routing_share")
                if r[a] == r[a] and r[a] is not None
            ]
            typer.echo(
                f"  {', '.join(axes):32} {goal.measure} {r['mean']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]  "
                f"{'meets' if r['meets'] else 'misses'}"
            )
        if staff_values:
            for (vol, share), g in rows.groupby(["volume", "routing_share"], dropna=False, sort=True):
                ok = g[g["meets"].fillna(False).astype(bool)]
                where = f"volume {vol:g}" + (
                    f", share {share:g}" if share == share and share is not None else ""
                )
                typer.echo(
                    f"Smallest staffing of {team} that meets {goal} at {where}: "
                    + (
                        str(int(ok["staff"].min()))
                        if len(ok)
                        else f"none in {min(staff_values)}..{max(staff_values)}"
                    )
                )
    typer.echo(f"Sweep of {result.settings['points']} points x {replications} replications -> {out}")


#: What ``workbench sweep`` writes into its folder.
OUTPUT_FILES = ("sweep_curve.csv", "sweep_runs.csv", "sweep_curve.png", "sweep_curve.svg", "report.html")


def _report(result: SweepResult, answer: StaffAnswer | None, cautions: tuple[Caution, ...], folder: OutputFolder, *,
            title: str, language: str) -> None:
    """``report.html``: the sweep's section of the report (curve, answer, points), no PDF."""
    import pandas as pd

    from workbench.report.html import render_html
    from workbench.report.sections import build_report

    settings = {k: str(v) for k, v in result.settings.items() if not isinstance(v, dict | list | tuple)}
    report = build_report({"sweep": {"result": result, "answer": answer, "cautions": cautions}}, title=title,
                          subtitle=f"{result.settings.get('points', '')} points x {result.settings.get('replications', '')} "
                          "replications" + (f", target {result.target}" if result.target is not None else ""),
                          generated_at=pd.Timestamp.now(tz="UTC").isoformat(), settings=settings, language=language)
    folder.write_text("report.html", render_html(report))


def _model(config: LogConfig, model_path: Path | None, *, grid: SweepGrid, target: ServiceTarget | None,
           calibrate: bool, seed: int, executor: Executor, allow_unusable: bool
           ) -> tuple[SimulationModel, bool, tuple[Caution, ...]]:
    """The desk's model, learned (and judged) as ``workbench simulate`` learns it, or the saved one; whether
    its figures must be marked (a model judged not usable, swept with ``--allow-unusable``); and what the
    grid's staffing and volume axes cannot show on it (from the verdict: a saved model has none here)."""
    from workbench.privacy import log_key
    from workbench.simulation import load_model
    from workbench.simulation.verdict import check_usable
    from workbench.sweeps import check_sweep, sweep_cautions
    from workbench.usecases import judge_model, learn_simulation_model, load_and_validate

    if model_path is not None:  # a saved model was judged when it was learned
        model = load_model(model_path)
        check_sweep(model, grid, target=target)
        return model, False, ()
    events = load_and_validate(config).events
    typer.echo(f"Learning a simulation model from '{config.name}' ({events['case_id'].nunique():,} cases) ...",
               err=True)
    key = log_key(config.privacy)
    model = learn_simulation_model(events, config, calibrate=calibrate, key=key)
    check_sweep(model, grid, target=target)  # a team or a measure that does not exist fails before the check
    verdict, why_not = judge_model(events, config, replications=3, seed=seed, executor=executor, calibrate=calibrate,
                                   key=key)
    typer.echo(f"warning: {why_not}" if verdict is None else verdict.summary, err=True)
    return model, check_usable(verdict, allow_unusable=allow_unusable), sweep_cautions(model, grid, verdict)


def _plot(result: SweepResult, folder: OutputFolder) -> None:
    """The target measure (or the mean cycle time) over the swept axis, with 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measure = result.target.measure if result.target is not None else "cycle_time_h"
    rows = result.curve[result.curve["measure"] == measure]
    axis = next(
        (a for a in ("staff", "volume", "routing_share") if rows[a].nunique(dropna=True) > 1), "staff"
    )
    others = [a for a in ("staff", "volume", "routing_share") if a != axis]
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for key, g in rows.groupby(others, dropna=False, sort=True):
        g = g.sort_values(axis)
        x = g[axis].to_numpy(dtype=float)
        label = ", ".join(f"{a}={v}" for a, v in zip(others, key, strict=True) if v == v and v is not None)
        ax.plot(x, g["mean"], marker="o", label=label or None)
        ax.fill_between(x, g["ci_low"].to_numpy(dtype=float), g["ci_high"].to_numpy(dtype=float), alpha=0.2)
    if result.target is not None:
        ax.axhline(result.target.value, color="grey", linestyle="--", label=f"target {result.target}")
    ax.set_xlabel(axis if axis != "staff" else f"staff of {result.settings.get('team')}")
    ax.set_ylabel(measure)
    ax.set_title(
        f"{measure} over {axis} (mean and 95% interval, {result.settings['replications']} replications)",
        fontsize=9,
    )
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    for fmt in ("png", "svg"):
        def save(path: Path, _fmt: str = fmt) -> None:
            fig.savefig(path, format=_fmt, dpi=120)

        folder.write_with(f"sweep_curve.{fmt}", save)
    plt.close(fig)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("sweep")(sweep)
