"""Model audit: is a trained duration or reopen model worse for some group of people?

Input: a scores table with one row per scored prefix (or case), the columns

- ``case_id`` (rows of one case are resampled together in the bootstrap),
- ``y_true`` (the observed remaining time in days or hours, or 0/1 reopened),
- ``y_pred`` (regression: the predicted remaining time) or ``y_proba``
  (classification: the predicted probability),
- one column per group attribute.

Per group, fairlearn's :class:`~fairlearn.metrics.MetricFrame` gives the figures:
for regression the MAE, the mean signed error (predicted - actual: systematic
over- or under-prediction of the group's duration) and the share predicted at risk;
for classification the selection rate (share predicted at risk), true- and
false-positive rates, AUC and the calibration gap (mean predicted probability minus
observed rate). Confidence intervals come from a case bootstrap (see
:mod:`workbench.fairness.bootstrap`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Literal, Unpack

import numpy as np
import pandas as pd

from workbench.errors import EventLogError
from workbench.fairness.bootstrap import case_codes, cell_sums, replicate_weights, weighted_auc
from workbench.fairness.compare import choose_best, compare_groups, threshold_for
from workbench.fairness.groups import add_intersections, group_label_series
from workbench.fairness.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS
from workbench.fairness.options import AuditKeywords, AuditOptions, audit_options
from workbench.fairness.result import AuditResult
from workbench.schema import CASE_ID

__all__ = ["at_risk_cutoff", "audit_model", "metric_frames"]

Task = Literal["regression", "classification"]


def at_risk_cutoff(predictions: np.ndarray, *, threshold: float | None, share: float | None) -> float:
    """The prediction at or above which a case counts as "predicted at risk".

    ``threshold`` wins when given; otherwise the top ``share`` of predictions.
    """
    if threshold is not None:
        return float(threshold)
    if share is None or not 0 < share < 1:
        raise EventLogError(f"at-risk share must be between 0 and 1 (e.g. 0.2), got {share}; or give a threshold")
    return float(np.quantile(np.asarray(predictions, dtype=float), 1.0 - share))


def _mean_signed_error(y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    return float(np.average(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float),
                            weights=sample_weight))


def _share_at_or_above(y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray | None = None, *,
                       cutoff: float) -> float:
    return float(np.average(np.asarray(y_pred, dtype=float) >= cutoff, weights=sample_weight))


def _auc_or_nan(y_true: np.ndarray, y_score: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true)
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, y_score, sample_weight=sample_weight))


def _observed_rate(y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    return float(np.average(np.asarray(y_true, dtype=float), weights=sample_weight))


def _rate_or_nan(fn: Callable[..., float], y_true: np.ndarray, y_pred: np.ndarray,
                 sample_weight: np.ndarray | None = None, *, needs: int) -> float:
    if not (np.asarray(y_true) == needs).any():
        return float("nan")
    return float(fn(y_true, y_pred, sample_weight=sample_weight, pos_label=1))


def metric_frames(
    scores: pd.DataFrame, attribute: str, *, task: Task, cutoff: float, weights: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """fairlearn MetricFrame figures per group of ``attribute``: (by_group, overall).

    Columns: regression ``mae``, ``mean_signed_error``, ``share_at_risk``;
    classification ``selection_rate``, ``true_positive_rate``, ``false_positive_rate``,
    ``auc``, ``mean_predicted``, ``observed_rate``, ``calibration_gap``. ``weights`` are
    per-row sample weights (e.g. one over the number of scored prefixes of the case).
    """
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        mean_prediction,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import mean_absolute_error

    y = scores["y_true"].to_numpy(dtype=float)
    sf = scores[attribute].rename(attribute)

    def params(names: Sequence[str]) -> dict[str, dict[str, np.ndarray]] | None:
        return None if weights is None else {n: {"sample_weight": weights} for n in names}

    if task == "regression":
        pred = scores["y_pred"].to_numpy(dtype=float)
        metrics = {"mae": mean_absolute_error, "mean_signed_error": _mean_signed_error,
                   "share_at_risk": partial(_share_at_or_above, cutoff=cutoff)}
        mf = MetricFrame(metrics=metrics, y_true=y, y_pred=pred, sensitive_features=sf,
                         sample_params=params(list(metrics)))
        return mf.by_group, mf.overall
    proba = scores["y_proba"].to_numpy(dtype=float)
    flag = (proba >= cutoff).astype(int)
    bin_metrics = {"selection_rate": selection_rate,
                   "true_positive_rate": partial(_rate_or_nan, true_positive_rate, needs=1),
                   "false_positive_rate": partial(_rate_or_nan, false_positive_rate, needs=0)}
    mf_bin = MetricFrame(metrics=bin_metrics, y_true=y.astype(int), y_pred=flag, sensitive_features=sf,
                         sample_params=params(list(bin_metrics)))
    prob_metrics = {"auc": _auc_or_nan, "mean_predicted": mean_prediction, "observed_rate": _observed_rate}
    mf_prob = MetricFrame(metrics=prob_metrics, y_true=y.astype(int), y_pred=proba, sensitive_features=sf,
                          sample_params=params(list(prob_metrics)))
    by_group = pd.concat([mf_bin.by_group, mf_prob.by_group], axis=1)
    overall = pd.concat([mf_bin.overall, mf_prob.overall])
    by_group["calibration_gap"] = by_group["mean_predicted"] - by_group["observed_rate"]
    overall["calibration_gap"] = overall["mean_predicted"] - overall["observed_rate"]
    return by_group, overall


def _check_scores(scores: pd.DataFrame, task: Task | None, attrs: Sequence[str]) -> Task:
    if CASE_ID not in scores.columns or "y_true" not in scores.columns:
        raise EventLogError(
            f"the scores table needs columns 'case_id' and 'y_true' (has {list(scores.columns)}); "
            "give one row per scored prefix with the observed outcome"
        )
    if task is None:
        task = "classification" if "y_proba" in scores.columns else "regression"
    needed = "y_proba" if task == "classification" else "y_pred"
    if needed not in scores.columns:
        raise EventLogError(f"a {task} audit needs the column '{needed}' in the scores table "
                            f"(has {list(scores.columns)})")
    missing = [a for a in attrs if a not in scores.columns]
    if missing:
        raise EventLogError(f"group attribute(s) {missing} are not columns of the scores table "
                            f"(has {list(scores.columns)}); add them when scoring")
    if len(scores) == 0:
        raise EventLogError("the scores table is empty: there is nothing to audit")
    bad = scores[["y_true", needed]].isna().any(axis=1)
    if bad.any():
        raise EventLogError(f"{int(bad.sum())} rows of the scores table have no y_true or {needed} "
                            f"(first: row {int(np.flatnonzero(bad.to_numpy())[0])}); drop unscored rows first")
    if task == "classification":
        y = scores["y_true"]
        if not y.isin([0, 1, True, False]).all():
            raise EventLogError("a classification audit needs y_true of 0/1; got other values "
                                f"(e.g. {y[~y.isin([0, 1, True, False])].iloc[0]!r})")
        p = scores["y_proba"]
        if ((p < 0) | (p > 1)).any():
            raise EventLogError("y_proba must be probabilities between 0 and 1")
    return task


def _support(frame: pd.DataFrame, codes: np.ndarray, n_groups: int, task: str,
             case_noun: str) -> dict[str, dict[str, Any]]:
    """Per metric computed on part of each group: how many distinct cases each group has in that part."""
    if task != "classification":
        return {}
    y = frame["y_true"].to_numpy(dtype=float)
    ids = frame[CASE_ID].to_numpy()

    def count(mask: np.ndarray) -> np.ndarray:
        return np.array([pd.unique(ids[mask & (codes == g)]).size for g in range(n_groups)])

    pos, neg = count(y == 1), count(y == 0)
    return {
        "true_positive_rate": {"support": pos, "support_noun": f"positive {case_noun}"},
        "false_positive_rate": {"support": neg, "support_noun": f"negative {case_noun}"},
        "auc": {"support": np.minimum(pos, neg), "support_noun": f"positive (or negative) {case_noun}"},
    }


def audit_model(
    scores: pd.DataFrame,
    *,
    group_attributes: Sequence[str],
    task: Task | None = None,
    at_risk_threshold: float | None = None,
    at_risk_share: float | None = 0.2,
    time_unit: Literal["h", "d"] = "d",
    weighting: Literal["case", "prefix"] = "case",
    model_name: str | None = None,
    options: AuditOptions | None = None,
    **keywords: Unpack[AuditKeywords],
) -> AuditResult:
    """Audit a model's scores per group.

    Parameters
    ----------
    scores : pandas.DataFrame
        See the module docstring. ``y_true``/``y_pred`` in hours for regression.
    task : {"regression", "classification"}, optional
        Inferred from the columns (``y_proba`` means classification).
    time_unit : {"d", "h"}
        Unit of ``y_true``/``y_pred`` in a regression audit: days (the prediction stage's
        remaining time, :func:`workbench.models.predict_frame`) or hours.
    weighting : {"case", "prefix"}
        ``case`` (default): every case counts once -- each of its scored prefixes weighs one
        over the case's number of prefixes -- so a group is judged by how its cases (its
        people) are served, not dominated by a few long cases with dozens of prefixes.
        ``prefix``: every scored prefix counts once (the convention of prediction benchmarks).
    at_risk_threshold, at_risk_share : float, optional
        A case is predicted at risk when its prediction is at or above the threshold,
        or (no threshold) in the top ``at_risk_share`` of predictions.
    options : AuditOptions, optional
        Flag rule, minimum group size, protection of people, intersections, bootstrap
        replicates and seed (:mod:`workbench.fairness.options`); groups are sized by their
        number of distinct cases.
    **keywords
        Any field of :class:`AuditOptions` (``replicates=200, seed=1``), replacing that of ``options``.
    """
    o = audit_options(options, keywords)
    rule, min_group_size, replicates, seed, case_noun = o.rule, o.min_group_size, o.replicates, o.seed, o.case_noun
    attrs = o.checked_groups(group_attributes)
    task = _check_scores(scores, task, attrs)
    frame = scores.reset_index(drop=True).copy()
    for a in attrs:
        frame[a] = group_label_series(frame[a])
    audited = attrs
    if o.intersections and len(attrs) > 1:
        frame, pairs = add_intersections(frame, attrs)
        audited = attrs + pairs
    pred_col = "y_proba" if task == "classification" else "y_pred"
    cutoff = at_risk_cutoff(frame[pred_col].to_numpy(), threshold=at_risk_threshold, share=at_risk_share)
    if time_unit not in ("h", "d"):
        raise EventLogError(f"time_unit must be 'h' (hours) or 'd' (days), got {time_unit!r}")
    specs = CLASSIFICATION_METRICS if task == "classification" else {
        name: replace(spec, unit=time_unit) if spec.unit == "h" else spec for name, spec in REGRESSION_METRICS.items()}
    if weighting not in ("case", "prefix"):
        raise EventLogError(f"weighting must be 'case' or 'prefix', got {weighting!r}")
    row_case, n_cases = case_codes(frame[CASE_ID].to_numpy())
    row_w = 1.0 / np.bincount(row_case)[row_case] if weighting == "case" else np.ones(len(frame))
    y = frame["y_true"].to_numpy(dtype=float)
    p = frame[pred_col].to_numpy(dtype=float)
    components = {k: v * row_w for k, v in _components(task, y, p, cutoff).items()}
    rng = np.random.default_rng(seed)

    codes = {}
    for a in audited:
        c, uniq = pd.factorize(frame[a], sort=True)
        codes[a] = (c.astype(np.int64), [str(u) for u in uniq])
    sums: dict[tuple[str, str], list[np.ndarray]] = {}
    aucs: dict[str, list[np.ndarray]] = {}
    for weights in replicate_weights(row_case, n_cases, replicates=replicates, rng=rng):
        for a, (c, uniq) in codes.items():
            for part, v in components.items():
                sums.setdefault((a, part), []).append(cell_sums(weights, v, c, len(uniq)))
            if task == "classification":
                w = weights * row_w
                per = [weighted_auc(w[:, c == g], y[c == g], p[c == g]) for g in range(len(uniq))]
                aucs.setdefault(a, []).append(np.column_stack(per))
        if task == "classification":
            aucs.setdefault("__overall__", []).append(weighted_auc(weights * row_w, y, p)[:, None])

    tables = []
    notes = []
    for a, (c, uniq) in codes.items():
        by_group, overall = metric_frames(frame, a, task=task, cutoff=cutoff,
                                          weights=row_w if weighting == "case" else None)
        by_group.index = [str(i) for i in by_group.index]
        size = np.array([frame.loc[c == g, CASE_ID].nunique() for g in range(len(uniq))])
        suppressed = size < min_group_size
        support = _support(frame, c, len(uniq), task, case_noun)
        comp = {k: np.vstack(v) for (aa, k), v in sums.items() if aa == a}
        est = _estimates(task, comp)
        if task == "classification":
            est["auc"] = (np.vstack(aucs[a]), np.vstack(aucs["__overall__"])[:, 0])
        for name, spec in specs.items():
            group_vals, overall_vals = est[name]
            group_vals = group_vals.copy()
            overall_vals = overall_vals.copy()
            # MetricFrame's figures are the point estimates (replicate 0)
            group_vals[0] = by_group.loc[uniq, name].to_numpy(dtype=float)
            overall_vals[0] = float(overall[name])
            use_best = rule.reference == "best" and spec.worse != "either"
            ref_index = choose_best(group_vals[0], ~suppressed, spec.worse) if use_best else None
            if ref_index is not None:
                ref_vals = np.repeat(group_vals[:, [ref_index]], len(uniq), axis=1)
                ref_name = f"the best-off group ('{uniq[ref_index]}')"
            else:
                ref_vals = np.repeat(overall_vals[:, None], len(uniq), axis=1)
                ref_name = f"all {case_noun} together"
            mae_overall = float(np.average(np.abs(p - y), weights=row_w)) if task == "regression" else None
            tables.append(compare_groups(
                audit="model", attribute=a, groups=uniq, n_cases=size, suppressed=suppressed,
                group_values=group_vals, reference_values=ref_vals, reference_name=ref_name,
                reference_index=ref_index, spec=spec, rule=rule,
                threshold=threshold_for(spec, rule, scale=mae_overall), case_noun=case_noun,
                min_group_size=min_group_size,
                **support.get(name, {}),
            ))
    if task == "classification" and (frame["y_true"].astype(float) == 1).sum() < 10:
        notes.append("fewer than 10 positive outcomes in the scores: true-positive rates and AUC are very uncertain")
    settings = {
        "model": {
            "model_name": model_name,
            "task": task,
            "time_unit": time_unit if task == "regression" else None,
            "weighting": weighting,
            "group_attributes": list(attrs),
            "intersections": bool(o.intersections),
            "at_risk_cutoff": cutoff,
            "at_risk_rule": (f"prediction >= {at_risk_threshold}" if at_risk_threshold is not None
                             else f"top {at_risk_share:.0%} of predictions"),
            "reference": rule.reference,
            "relative_threshold": rule.relative,
            "absolute_threshold": rule.absolute,
            "confidence": rule.confidence,
            "min_group_size": min_group_size,
            "bootstrap_replicates": replicates,
            "seed": seed,
            "scored_rows": len(frame),
            "cases": int(n_cases),
        }
    }
    table = pd.concat(tables, ignore_index=True)
    return AuditResult(table=table, notes=tuple(notes), settings=settings)


def _components(task: Task, y: np.ndarray, p: np.ndarray, cutoff: float) -> dict[str, np.ndarray]:
    """Per-row values whose weighted sums give every ratio metric."""
    one = np.ones_like(y)
    if task == "regression":
        return {"one": one, "abs_err": np.abs(p - y), "err": p - y, "at_risk": (p >= cutoff).astype(float)}
    flag = (p >= cutoff).astype(float)
    return {"one": one, "flag": flag, "pos": y, "neg": 1.0 - y, "tp": flag * y, "fp": flag * (1.0 - y),
            "proba": p}


def _estimates(task: Task, comp: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(per-group replicates (R, G), overall replicates (R,)) of each ratio metric."""

    def ratio(num: str, den: str) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return comp[num] / comp[den], comp[num].sum(axis=1) / comp[den].sum(axis=1)

    if task == "regression":
        return {"mae": ratio("abs_err", "one"), "mean_signed_error": ratio("err", "one"),
                "share_at_risk": ratio("at_risk", "one")}
    mp, mp_all = ratio("proba", "one")
    ob, ob_all = ratio("pos", "one")
    return {"selection_rate": ratio("flag", "one"), "true_positive_rate": ratio("tp", "pos"),
            "false_positive_rate": ratio("fp", "neg"), "calibration_gap": (mp - ob, mp_all - ob_all)}
