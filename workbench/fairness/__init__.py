"""Fairness and ethics audit: does a model or a proposed process change leave any group worse off?

Three audits, one tidy result (:class:`AuditResult`):

- :func:`audit_history` -- existing disparities in the log itself (cycle time, reopen
  rate, time waiting in queue, outcome-activity rates), optionally controlled for
  strata such as category and priority;
- :func:`audit_model` -- a trained duration or reopen model's errors and decisions per
  group (fairlearn ``MetricFrame``);
- :func:`audit_process_change` -- a simulated scenario against its baseline, per group,
  paired over replications: who gets worse while the average improves.

Every disparity has a case-bootstrap (or paired t) confidence interval, and a group
is flagged only when the whole interval lies beyond a threshold. The settings the three
share (flag rule, minimum group size, protection of people, bootstrap) are one
:class:`AuditOptions`. Groups below the
minimum size are suppressed and shown as suppressed; staff attributes and person
identifiers are never group attributes. :func:`render_audit_html` gives the HTML
section for the report; :func:`run_audit` runs an audit config (``workbench audit``).
"""

from __future__ import annotations

from workbench.fairness.config import AuditConfig, load_audit_config
from workbench.fairness.groups import check_group_attributes
from workbench.fairness.historical import audit_history
from workbench.fairness.html import render_audit_html, render_audit_page
from workbench.fairness.metrics import FlagRule
from workbench.fairness.model import audit_model
from workbench.fairness.options import AuditOptions
from workbench.fairness.outcomes import OutcomeActivity, QueueWait
from workbench.fairness.process import audit_process_change
from workbench.fairness.result import AuditResult, combine_results
from workbench.fairness.runner import run_audit, write_audit
from workbench.fairness.tracking import log_audit_to_mlflow

__all__ = [
    "AuditConfig",
    "AuditOptions",
    "AuditResult",
    "FlagRule",
    "OutcomeActivity",
    "QueueWait",
    "audit_history",
    "audit_model",
    "audit_process_change",
    "check_group_attributes",
    "combine_results",
    "load_audit_config",
    "log_audit_to_mlflow",
    "render_audit_html",
    "render_audit_page",
    "run_audit",
    "write_audit",
]
