"""CLI: what-if simulation (``workbench simulate``) and its validation against history (``workbench validate-sim``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workbench.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

_MAIN_KPIS = ("resolution_time_h", "cycle_time_h", "waiting_time_h", "waiting_on_user_h", "cycle_time_p90_h", "backlog_mean")


def _progress(label: str):
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if tty:
            print(
                f"\r{label}: replication {done}/{total}",
                end="\n" if done == total else "",
                file=sys.stderr,
                flush=True,
            )
        else:
            print(f"{label}: replication {done}/{total}", file=sys.stderr, flush=True)

    return show


def _load_events(log_config: Path, activities: str | None):
    from workbench.config import load_log_config
    from workbench.errors import EventLogError
    from workbench.io import load_log

    config = load_log_config(log_config)
    events = load_log(config).events
    if activities:
        keep = events["activity"].astype(str).str.match(activities)
        if not keep.any():
            raise EventLogError(f"--activities '{activities}' matches no activity of log '{config.name}'")
        events = events[keep]
    return config, events


def simulate(
    log_config: Path = typer.Argument(
        ..., help="Log config YAML the model is learned from, e.g. configs/logs/demo.yaml."
    ),
    scenario: Path = typer.Option(
        ..., "--scenario", help="Scenario YAML, e.g. configs/scenarios/demo_add_infra_staff.yaml."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    replications: int = typer.Option(10, "--replications", "-n", min=1, help="Paired replications."),
    seed: int = typer.Option(0, "--seed", help="Root seed; the same seed gives the same numbers."),
    days: float | None = typer.Option(None, "--days", help="Days to simulate (default: the log's period)."),
    warmup_days: float = typer.Option(
        14.0, "--warmup-days", min=0, help="Days of warm-up left out of the KPIs."
    ),
    jobs: int | None = typer.Option(None, "--jobs", min=1, help="Worker processes (default: one per core)."),
    model_path: Path | None = typer.Option(
        None, "--model", help="Use this saved model (YAML/JSON) instead of learning one from the log."
    ),
    activities: str | None = typer.Option(
        None, "--activities", help="Keep only activities matching this regex."
    ),
    logs: str = typer.Option(
        "first", "--logs", help="Simulated logs to write: none, first (replication) or all."
    ),
    log_format: str = typer.Option("parquet", "--log-format", help="Simulated logs as parquet or csv."),
    replay: bool = typer.Option(
        False,
        "--replay",
        help="Replay the log's own case arrivals (and attributes) instead of drawing new ones.",
    ),
    allow_unusable: bool = typer.Option(
        False, "--allow-unusable", help="Run the scenario even on a model judged not usable (figures marked)."
    ),
) -> None:
    """Learn a simulation model from a log and compare a what-if scenario with the baseline.

    Writes to --out: comparison.csv (per KPI: baseline, scenario, difference and its 95%
    confidence interval), group_comparison.csv, kpis.csv and group_kpis.csv (per
    replication), kpi_distributions.png/.svg, model.yaml and the simulated logs.
    """
    from workbench.config import load_log_config
    from workbench.io import check_not_input, write_table, write_text
    from workbench.simulation import discover_model, load_model, model_to_yaml
    from workbench.simulation.experiment import historical_cases, run_experiment
    from workbench.simulation.scenarios import apply_scenario, load_scenario

    if logs not in ("none", "first", "all"):
        raise ConfigError(f"--logs must be none, first or all, got '{logs}'")
    if log_format not in ("parquet", "csv"):
        raise ConfigError(f"--log-format must be parquet or csv, got '{log_format}'")
    config = load_log_config(log_config)
    check_not_input(out, [config.source.path, log_config, scenario, model_path])
    plan = load_scenario(scenario)
    events = None
    if model_path is None or replay:
        _, events = _load_events(log_config, activities)
    if model_path is not None:
        model = load_model(model_path)
    else:
        typer.echo(
            f"Learning a simulation model from '{config.name}' ({events['case_id'].nunique():,} cases) ...",
            err=True,
        )
        model = discover_model(events, config=config)
    apply_scenario(model, plan)  # fail on a bad name before any replication runs
    verdict = None
    if model_path is None:  # a verdict before any what-if (a saved model was judged when it was learned)
        from workbench.simulation.validation import validate_model

        verdict = validate_model(events, config=config, replications=3, seed=seed, n_jobs=jobs).verdict
        if verdict is not None:
            typer.echo(verdict.summary, err=True)
    result = run_experiment(
        model,
        plan,
        replications=replications,
        seed=seed,
        days=days,
        warmup_days=warmup_days,
        n_jobs=jobs,
        keep_runs=logs != "none",
        progress=_progress(f"simulating '{plan.name}'"),
        replay=historical_cases(events, model) if replay else None,
        verdict=verdict,
        allow_unusable=allow_unusable,
    )
    out.mkdir(parents=True, exist_ok=True)
    write_text(model_to_yaml(model), out / "model.yaml")
    write_table(result.comparison, out / "comparison.csv")
    write_table(result.group_comparison, out / "group_comparison.csv")
    write_table(result.kpis, out / "kpis.csv")
    write_table(result.group_kpis, out / "group_kpis.csv")
    _plot(result.kpis, out / "kpi_distributions", plan.name)
    for (arm, rep), run in sorted(result.runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if logs == "first" and rep != 0:
            continue
        write_table(run.events, out / "logs" / f"{arm}_rep{rep + 1:02d}.{log_format}")
    if result.settings.get("marked"):
        typer.echo("[model not usable] every figure below comes from a model that does not reproduce the log")
    typer.echo(_table(result.comparison))
    typer.echo(f"Results for scenario '{plan.name}' ({replications} replications, seed {seed}) -> {out}")


def _table(comparison: pd.DataFrame) -> str:
    rows = comparison[
        comparison["kpi"].isin(_MAIN_KPIS) | comparison["kpi"].str.startswith(("team_wait_h", "utilisation"))
    ]
    lines = [f"{'KPI':38} {'baseline':>10} {'scenario':>10} {'difference':>11}   95% CI"]
    for _, r in rows.iterrows():
        ci = "" if r["ci_low"] != r["ci_low"] else f"[{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
        lines.append(
            f"{r['kpi'][:38]:38} {r['baseline']:10.2f} {r['scenario']:10.2f} {r['difference']:11.2f}   {ci}"
        )
    return "\n".join(lines)


def _plot(kpis: pd.DataFrame, stem: Path, title: str) -> None:
    """Replication values of the main KPIs, baseline next to scenario (PNG and SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.io import atomic_path

    names = [k for k in _MAIN_KPIS if k in set(kpis["kpi"])]
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.6), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        data = [
            kpis[(kpis["kpi"] == name) & (kpis["arm"] == arm)]["value"].to_numpy()
            for arm in ("baseline", "scenario")
        ]
        ax.boxplot(data, widths=0.5)
        for i, values in enumerate(data, start=1):
            ax.scatter([i] * len(values), values, s=10, alpha=0.6, zorder=3)
        ax.set_xticks([1, 2], ["baseline", "scenario"])
        ax.set_title(name, fontsize=9)
    fig.suptitle(f"KPIs per replication: {title}", fontsize=10)
    fig.tight_layout()
    for suffix in (".png", ".svg"):
        with atomic_path(stem.with_suffix(suffix)) as tmp:
            fig.savefig(tmp, format=suffix[1:], dpi=120)
    plt.close(fig)


def validate_sim(
    log_config: Path = typer.Argument(..., help="Log config YAML, e.g. configs/logs/bpic2012.yaml."),
    replications: int = typer.Option(
        10, "--replications", "-n", min=1, help="Simulated replications of the test period."
    ),
    seed: int = typer.Option(0, "--seed", help="Root seed."),
    train_share: float = typer.Option(
        0.8, "--train-share", min=0.05, max=0.95, help="Share of cases (by start) to learn from."
    ),
    activities: str | None = typer.Option(
        None, "--activities", help="Keep only activities matching this regex (e.g. 'W_')."
    ),
    crop: bool = typer.Option(
        True, "--crop/--no-crop", help="Cut simulated events after the log's end, as the log was cut."
    ),
    jobs: int | None = typer.Option(None, "--jobs", min=1, help="Worker processes (default: one per core)."),
    out: Path | None = typer.Option(
        None, "--out", help="Also write scores.csv, model.yaml and a simulated test log here."
    ),
) -> None:
    """Validate simulation against history: learn on the first 80% of cases, simulate the rest, score the distance."""
    from workbench.io import check_not_input, write_table, write_text
    from workbench.simulation import model_to_yaml
    from workbench.simulation.validation import validate_model

    config, events = _load_events(log_config, activities)
    if out is not None:
        check_not_input(out, [config.source.path, log_config])
    result = validate_model(
        events,
        config=config,
        replications=replications,
        seed=seed,
        train_share=train_share,
        crop=crop,
        n_jobs=jobs,
        progress=_progress(f"validating '{config.name}'"),
    )
    s = result.settings
    typer.echo(
        f"Log '{config.name}': learned on {s['train_cases']:,} cases, simulated {s['test_cases']:,} test cases from "
        f"{s['split']} ({replications} replications, seed {seed})"
    )
    for _, r in result.summary.iterrows():
        typer.echo(
            f"  {r['metric']:28} {r['mean']:10.3f}  (sd {r['std']:.3f}, min {r['min']:.3f}, max {r['max']:.3f})"
        )
    if result.verdict is not None:
        typer.echo(f"Verdict: {result.verdict.summary}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_table(result.scores, out / "scores.csv")
        write_table(result.summary, out / "summary.csv")
        write_text(model_to_yaml(result.model), out / "model.yaml")
        write_table(result.simulated_log, out / "simulated_test_log.parquet")
        typer.echo(f"Scores, model and a simulated test log -> {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("simulate")(simulate)
    app.command("validate-sim")(validate_sim)
