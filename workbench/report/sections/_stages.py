"""Sections for the stages other than the questions: data quality, map, rules, scenarios, models, fairness."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from workbench.i18n import N_, Translator
from workbench.report.blocks import Block, Callout, Details, Image, Paragraph, Table
from workbench.report.model import Section
from workbench.report.sections._phrases import Phrasebook
from workbench.report.sections._reasons import ATTRIBUTES, reason_words
from workbench.report.sections._summary import KPI_NAMES, fairness_counts
from workbench.schema import CASE_ID

__all__ = ["rules_section", "scenarios_section", "models_section",
           "fairness_section", "skill_callout"]

TOP = 15

#: The fairness audit's measures and audit kinds, in words (message ids).
FAIRNESS_METRICS = {
    "cycle_time_h": N_("time to resolve"), "reopen_rate": N_("reopen rate"),
    "queue_wait_h": N_("time waiting in team queues"), "mae": N_("the model's mean error"),
    "mean_signed_error": N_("the model's mean over- or underestimate"),
    "share_at_risk": N_("share predicted at risk"), "selection_rate": N_("share predicted at risk"),
    "true_positive_rate": N_("share of real reopens caught"), "false_positive_rate": N_("share of false alarms"),
    "auc": N_("how well the model ranks"), "calibration_gap": N_("gap between predicted and real reopen rate"),
    "waiting_time_h": N_("time waiting in team queues"), "waiting_on_user_h": N_("time waiting for the user"),
}
AUDITS = {"historical": N_("the log as it is"), "model": N_("model"), "process": N_("simulated change")}


#: Rule names as the rule checks write them when a rule has no name of its own, and their units.
RULE_PHRASES = Phrasebook((
    (r"resolved within (?P<value>[\d.]+) (?P<unit>working days|working hours|hours)",
     N_("resolved within %(value)s %(unit)s")),
    (r"first response within (?P<value>[\d.]+) (?P<unit>working days|working hours|hours)",
     N_("first response within %(value)s %(unit)s")),
    (r"'(?P<activity>.+)' never after '(?P<after>.+)'", N_("'%(activity)s' never after '%(after)s'")),
    (r"at most (?P<n>\d+) handovers between teams", N_("at most %(n)s handovers between teams")),
    (r"at most (?P<n>\d+) handovers between persons", N_("at most %(n)s handovers between people")),
    (r"(?P<unit>working days|working hours|hours)", "%(unit)s"),
))


def rules_section(discover: dict[str, Any], t: Translator) -> Section | None:
    rules = discover["discovery"].rules
    if rules is None:
        return None
    s = rules.summary
    frame = pd.DataFrame({t._("Rule"): [RULE_PHRASES.say(r, t) for r in s["rule"]], t._("Tickets checked"): s["cases_checked"],
                          t._("Broken"): s["violations"], t._("Share broken"): s["violation_share"]})
    blocks: list[Block] = [Table(frame, caption=t._("Rules and deadlines"), formats={
        t._("Tickets checked"): "count", t._("Broken"): "count", t._("Share broken"): "percent"})]
    v = rules.violations
    if len(v):
        worst = v.head(TOP)
        blocks.append(Details(t._("The tickets furthest over a limit"), (Table(pd.DataFrame({
            t._("Rule"): [RULE_PHRASES.say(r, t) for r in worst["rule"]], t._("Ticket"): worst[CASE_ID].astype(str),
            t._("Over the limit by"): [f"{t.format_number(over, 1)} {RULE_PHRASES.say(str(unit).replace('_', ' '), t)}"
                                       for over, unit in zip(worst["over"], worst["unit"], strict=True)]}),
            formats={}),)))
    else:
        blocks.append(Callout("ok", t._("No ticket broke a rule.")))
    return Section("rules", t._("Rules and deadlines"), t._("Each rule checked on every ticket."), tuple(blocks))


def interval_note(refits: int, t: Translator) -> Paragraph:
    """What a what-if's 95% intervals hold: the model's own uncertainty too (``refits`` > 0), or only the noise."""
    if refits > 0:
        return Paragraph(t._(
            "Each interval holds both the simulation's own noise and the uncertainty of a model learned from one log: "
            "the model was learned again from %(refits)s resamples of the tickets and every change run on each.")
            % {"refits": t.format_number(refits, 0)})
    return Paragraph(t._(
        "Each interval holds only the simulation's own noise, not the uncertainty of a model learned from one "
        "log, so the true effect can lie outside it (set refits to 4 or more in the experiment to include it)."))


def caution_callouts(cautions: Any, t: Translator, scenario: str | None = None) -> list[Callout]:
    """A warning per caution on a what-if's result, in the reader's language (``scenario`` names it)."""
    from workbench.simulation.verdict import caution_text

    out = []
    for caution in cautions or ():
        text = caution_text(caution, t)
        if text is None:  # a kind this version does not know: say nothing rather than guess
            continue
        if scenario is not None:
            text = t._("Scenario %(scenario)s: %(text)s") % {"scenario": scenario, "text": text}
        out.append(Callout("warning", text))
    return out


def scenarios_section(simulate: dict[str, Any], t: Translator) -> Section:
    from workbench.report.charts import interval_chart

    if simulate.get("refused") and simulate.get("verdict") is not None:
        return Section("scenarios", t._("What-if scenarios"), t._("What the changes would do, learned from your own log."),
                       tuple(verdict_blocks(simulate["verdict"], t, refused=True)))
    blocks: list[Block] = [Paragraph(t._(
        "Each change was simulated against today's desk with the same arriving tickets; the difference comes with a "
        "95%% interval. The chart shows, for each change, how much the mean time to resolve a ticket would change.") % {})]
    refits = {int(r.settings.get("refits", 0)) for r in simulate["results"].values()}
    if refits:
        blocks.append(interval_note(min(refits), t))
    rows = []
    for name, result in simulate["results"].items():
        comp = result.comparison
        first = "resolution_time_h" if (comp["kpi"] == "resolution_time_h").any() else "cycle_time_h"
        row = comp[comp["kpi"] == first]
        if len(row):
            r = row.iloc[0]
            rows.append({"label": name, "est": r["difference"], "lo": r["ci_low"], "hi": r["ci_high"]})
        shown = comp[comp["kpi"].isin(list(KPI_NAMES))]
        frame = pd.DataFrame({
            t._("Measure"): [t.gettext(KPI_NAMES[k][0]) for k in shown["kpi"]],
            t._("Today"): shown["baseline"].to_numpy(), t._("With the change"): shown["scenario"].to_numpy(),
            t._("Difference"): shown["difference"].to_numpy(),
            t._("95%% interval") % {}: [t._("%(low)s to %(high)s") % {"low": _kpi(k, lo, t), "high": _kpi(k, hi, t)}
                                        for k, lo, hi in zip(shown["kpi"], shown["ci_low"], shown["ci_high"], strict=True)],
        })
        for col in (t._("Today"), t._("With the change"), t._("Difference")):
            frame[col] = [_kpi(k, v, t) for k, v in zip(shown["kpi"], frame[col], strict=True)]
        blocks.append(Details(t._("Scenario %(name)s: every measure") % {"name": name}, (Table(frame),)))
        blocks.extend(caution_callouts(result.settings.get("cautions"), t, scenario=name))
    if rows:
        data = pd.DataFrame(rows)
        svg = interval_chart(data, "label", "est", "lo", "hi", title=t._("Change in the mean time to resolve"),
                             reference=0.0, xlabel=t._("Hours more (+) or fewer (−) than today, with 95%% interval")
                             % {})
        blocks.insert(1, Image(svg, caption=t._("Dot: the simulated change; bar: its 95%% interval; dashed line: no "
                                                "change.") % {}))
    if simulate.get("verdict") is not None:
        blocks[1:1] = verdict_blocks(simulate["verdict"], t)
    return Section("scenarios", t._("What-if scenarios"), t._("What the changes would do, learned from your own log."),
                   tuple(blocks))


LEVEL_WORDS = {"good": N_("good"), "usable with care": N_("usable with care"), "not usable": N_("not usable")}
CHECK_WORDS = {
    "cycle_time": N_("Time from a ticket's first to its last event"),
    "waiting": N_("Waiting in each team's queue"),
    "load_response": N_("Waiting in busy weeks against quiet weeks"),
}


def verdict_blocks(verdict: Any, t: Translator, *, refused: bool = False) -> list[Block]:
    """How far the what-if figures can be trusted: the model's verdict and each check's figure
    (``refused``: the scenarios were not run on a model that is not usable)."""
    import math

    kinds: dict[str, Literal["ok", "warning", "flag"]] = {"good": "ok", "usable with care": "warning", "not usable": "flag"}
    kind = kinds[verdict.level]
    text = t._("Before any what-if, the simulation model was checked against the log it was learned from: "
               "%(level)s.") % {"level": t.gettext(LEVEL_WORDS[verdict.level])}
    if verdict.level == "not usable" and refused:
        text += " " + t._("It does not reproduce the log, so the what-if scenarios were not run. Correct the log "
                          "config (staff, non_staff, statuses), or set simulation.allow_unusable to true to run them "
                          "with every figure marked.")
    elif verdict.level == "not usable":
        text += " " + t._("It does not reproduce the log: the figures below are marked and should not be used for "
                          "decisions.")
    if not verdict.capacity_checked:
        kind = "warning" if kind == "ok" else kind  # good on the cycle time alone: not an all-clear
        text += " " + t._("The log gave no team's waiting to compare, so only the cycle time was checked: how many "
                          "people the model has, and so how its waiting responds to more or fewer staff or tickets, "
                          "is its assumption.")
    frame = pd.DataFrame({
        t._("Check"): [t.gettext(CHECK_WORDS.get(c.name, c.name)) for c in verdict.checks],
        t._("Simulated ÷ real"): [t.format_number(math.exp(c.figure), 2) if math.isfinite(c.figure) else "–"
                                  for c in verdict.checks],
        t._("Verdict"): [t.gettext(LEVEL_WORDS[c.level]) if c.level else t._("not checked") for c in verdict.checks],
    })
    return [Callout(kind, text), Table(frame)]


def _fair(value: float, unit: str, t: Translator, *, diff: bool = False) -> str:
    if unit == "rate":
        return t.format_points(value) if diff else t.format_percent(value)
    if unit in ("h", "d"):
        return t.format_duration(value * (24 if unit == "d" else 1), sign=diff)
    return t.format_number(value, 2, sign=diff)


def _audit_rows(rows: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """Group, measure, where, the group's value, all tickets' value and the difference with its interval."""
    return pd.DataFrame({
        t._("Group"): [f"{t.gettext(ATTRIBUTES.get(str(a)) or str(a))}: {g}" for a, g in
                       zip(rows["attribute"], rows["group"], strict=True)],
        t._("Measure"): [t.gettext(FAIRNESS_METRICS.get(str(m)) or str(label)) for m, label in
                         zip(rows["metric"], rows["metric_label"], strict=True)],
        t._("Where"): [t.gettext(AUDITS.get(str(a)) or str(a)) for a in rows["audit"]],
        t._("The group"): [_fair(v, u, t) for v, u in zip(rows["estimate"], rows["unit"], strict=True)],
        t._("All tickets"): [_fair(v, u, t) for v, u in zip(rows["reference_estimate"], rows["unit"], strict=True)],
        t._("Difference (95%% interval)") % {}: [
            _fair_diff(d, lo, hi, u, t) for d, lo, hi, u in zip(
                rows["difference"], rows["difference_low"], rows["difference_high"], rows["unit"], strict=True)],
    })


def _fair_diff(d: float, lo: float, hi: float, unit: str, t: Translator) -> str:
    interval = t._("%(low)s to %(high)s") % {"low": _fair(lo, unit, t, diff=True), "high": _fair(hi, unit, t, diff=True)}
    return f"{_fair(d, unit, t, diff=True)} ({interval})"


def _metric_name(key: str, t: Translator) -> str:
    """A model-quality figure's name in words ("test_mae" -> "mean absolute error, test part")."""
    part = {"test_as_of": N_("test part, seen between two events"), "test": N_("test part"), "baseline": N_("baseline"), "validation": N_("validation part"),
            "train": N_("training part"), "tuning": N_("tuning")}
    what = {"mae": N_("mean absolute error (days)"), "rmse": N_("root mean squared error (days)"),
            "median_ae": N_("median absolute error (days)"), "mean_error": N_("mean error (days)"),
            "auc": N_("AUC (0.5 is chance)"), "brier": N_("Brier score"), "n": N_("tickets"),
            "calibration_error": N_("calibration error"), "base_rate": N_("share reopened"),
            "mean_proba": N_("mean predicted chance"), "average_precision": N_("average precision"),
            "log_loss": N_("log loss"), "best_value": N_("best score"), "best_iteration": N_("best round"),
            "trials": N_("trials"), "complete": N_("trials completed"), "pruned": N_("trials stopped early"),
            "seconds": N_("seconds")}
    head = next((p for p in part if key.startswith(p + "_") and key[len(p) + 1:] in what), None)
    if head is not None:
        return f"{t.gettext(what[key[len(head) + 1:]])}, {t.gettext(part[head])}"
    return key.replace("_", " ")


def _metric_value(value: object, t: Translator) -> str:
    x = float(value)  # type: ignore[arg-type]
    if x.is_integer():
        return t.format_number(x)
    return t.format_number(x, 2 if abs(x) >= 1 else 3)


def _kpi(kpi: str, value: float, t: Translator) -> str:
    if KPI_NAMES.get(kpi, ("", ""))[1] == "h":
        return t.format_duration(value, unit="hours")
    return t.format_number(value, 1)


def skill_callout(name: str, metrics: dict[str, float], t: Translator | None = None) -> Callout | None:
    """Say in plain words whether a model beats its baseline (on the test part, touched once)."""
    from workbench.models.training import NEAR_CHANCE_AUC

    t = t or Translator("en")
    if "test_mae" in metrics and "baseline_mae" in metrics:
        model, base = metrics["test_mae"], metrics["baseline_mae"]
        values = {"name": name, "model": t.format_number(model, 2), "base": t.format_number(base, 2),
                  "less": t.format_number(100 * (1 - model / base), 0) if base else "–"}
        if not model < base:
            return Callout("warning", t._("Model '%(name)s' is no better than the baseline (mean absolute error "
                                          "%(model)s vs %(base)s days): do not act on its predictions.") % values)
        return Callout("ok", t._("Model '%(name)s' is off by %(model)s days on average, %(less)s%% less than the "
                                 "baseline (%(base)s days).") % values)
    if "test_auc" in metrics:
        auc = metrics["test_auc"]
        brier, base_brier = metrics.get("test_brier"), metrics.get("baseline_brier")
        values = {"name": name, "auc": t.format_number(auc, 2), "brier": t.format_number(brier, 4),
                  "base": t.format_number(base_brier, 4)}
        if auc < NEAR_CHANCE_AUC:
            return Callout("warning", t._("Model '%(name)s' ranks cases barely better than chance (AUC %(auc)s; 0.5 "
                                          "is chance): treat its scores as a weak hint at most.") % values)
        if brier is not None and base_brier is not None and brier > base_brier:
            return Callout("warning", t._("Model '%(name)s' ranks cases usefully (AUC %(auc)s), but its probabilities "
                                          "are less accurate than the base rate (Brier %(brier)s vs %(base)s).")
                           % values)
        return Callout("ok", t._("Model '%(name)s' ranks cases well above chance (AUC %(auc)s).") % values)
    return None


def models_section(train: dict[str, Any], predict: dict[str, Any] | None, t: Translator, *,
                   timezone: str | None, calendar: Any = None, waiting: tuple[str, ...] = (),
                   activities: tuple[str, ...] = ()) -> Section:
    from workbench.models.training import small_training_part

    blocks: list[Block] = []
    for name, entry in train["models"].items():
        callout = skill_callout(name, entry["result"].metrics, t)
        if callout is not None:
            blocks.append(callout)
        counts = entry["result"].counts
        if small_training_part(counts):
            blocks.append(Callout("warning", t._(
                "Model '%(name)s' learned from only %(train)s examples against %(test)s for testing: it had little to "
                "learn from, so treat its predictions with care.") % {
                    "name": name, "train": t.format_number(counts.get("train", 0), 0),
                    "test": t.format_number(counts.get("test", 0), 0)}))
    if predict is not None and len(predict["at_risk"]):
        risk = predict["at_risk"].head(TOP)
        frame = pd.DataFrame({t._("Ticket"): risk[CASE_ID].astype(str),
                              t._("Last step"): risk["last_activity"].astype(str),
                              t._("Team"): risk["team"].astype("object"),
                              t._("Open for"): risk["elapsed_days"].to_numpy() * 24})
        formats = {t._("Open for"): "hours"}
        if "predicted_remaining_days" in risk.columns:
            frame[t._("Predicted time left")] = risk["predicted_remaining_days"].to_numpy() * 24
            end = risk["predicted_end"]
            if calendar is not None:
                end = calendar.add_working_hours(end, 0.0)  # the desk resolves tickets in working hours
            frame[t._("Expected resolved")] = end.to_numpy()
            frame[t._("Why")] = [reason_words(r, t, waiting=waiting, activities=activities) for r in risk["remaining_reasons"]]
            formats |= {t._("Predicted time left"): "hours", t._("Expected resolved"): "datetime"}
        if "reopen_probability" in risk.columns and risk["reopen_probability"].notna().any():
            frame[t._("Chance of a reopen")] = risk["reopen_probability"].to_numpy()
            formats[t._("Chance of a reopen")] = "percent"
        blocks.append(Paragraph(t._(
            "The open tickets expected to take longest, with the reasons the model gives. The time left is "
            "calendar time, nights and weekends included, as the model learned it; an expected end outside the "
            "desk's opening hours is moved to the next opening time, in the log's time zone (%(tz)s).")
            % {"tz": timezone or "UTC"}))
        blocks.append(Table(frame, caption=t._("Open tickets at risk, longest expected first"), formats=formats,
                            timezone=timezone))
    for name, entry in train["models"].items():
        result = entry["result"]
        metrics = pd.DataFrame({t._("Measure"): [_metric_name(k, t) for k in result.metrics],
                                t._("Value"): [_metric_value(v, t) for v in result.metrics.values()]})
        blocks.append(Details(t._("Model '%(name)s': the figures behind it") % {"name": name}, (
            Paragraph(t._("Trained, tuned and checked once on a held-out test part; MLflow run %(run)s.")
                      % {"run": entry["logged"].run_id}),
            Table(metrics))))
    return Section("models", t._("Open tickets at risk"),
                   t._("Models of the time left and of the chance of a reopen, learned from the desk's own tickets."),
                   tuple(blocks))


def fairness_section(audit: dict[str, Any], t: Translator) -> Section:
    result = audit.get("result")
    if result is None:
        return Section("fairness", t._("Fairness"), "", (Callout("warning", str(audit.get("note") or t._("No audit was run."))),))
    groups, flags, audited = fairness_counts(result)
    if groups:
        text = t.ngettext("%(groups)s group of users is worse off beyond the threshold",
                          "%(groups)s groups of users are worse off beyond the threshold", groups) % {
            "groups": groups}
        text += " (" + t.ngettext("flagged on %(n)s measure", "flagged on %(n)s measures", flags) % {"n": flags} + ")"
        text += "; " + t._("%(n)s groups audited.") % {"n": t.format_number(audited)}
        callout = Callout("flag", text)
    else:
        callout = Callout("ok", t._("No group of users is worse off beyond the threshold; %(n)s groups audited.")
                          % {"n": t.format_number(audited)})
    blocks: list[Block] = [callout]
    flagged = result.flagged_rows
    if len(flagged):
        blocks.append(Table(_audit_rows(flagged, t), caption=t._("Flags, one line per group and measure")))
    table = result.table
    shown = table[~table["suppressed"].astype(bool) & ~table["is_reference"].astype(bool)]
    rows = _audit_rows(shown, t)
    rows[t._("Flagged")] = shown["flagged"].astype(bool).to_numpy()
    suppressed = int(table.drop_duplicates(["attribute", "group"])["suppressed"].astype(bool).sum())
    inner: list[Any] = [Table(rows, max_rows=200)]
    if suppressed:
        inner.append(Paragraph(t.ngettext("%(n)s group is too small to show.", "%(n)s groups are too small to show.",
                                          suppressed) % {"n": suppressed}))
    blocks.append(Details(t._("Every group and measure audited"), tuple(inner)))
    return Section("fairness", t._("Fairness: is any group of users worse off?"),
                   t._("Per group of users: the log as it is, each model, and each simulated change. A group is "
                       "flagged only when the whole 95%% interval lies beyond the threshold; small groups are not "
                       "shown.") % {}, tuple(blocks))
