"""audit_settings: the shared audit settings are one AuditOptions, built from the audit config or the log config."""

from __future__ import annotations

from dataclasses import replace

from workbench.config import load_log_config
from workbench.fairness import AuditOptions, load_audit_config
from workbench.usecases import audit_settings


def test_settings_from_an_audit_config_hold_its_options(repo_root):
    log = load_log_config(repo_root / "configs" / "logs" / "demo.yaml")
    config = load_audit_config(repo_root / "configs" / "audits" / "demo_departments.yaml")
    settings = audit_settings(log, config, seed=99, replicates=40)
    assert settings.group_attributes == ("department",)
    assert settings.options == AuditOptions(
        rule=config.flag.rule(), min_group_size=config.min_group_size or log.privacy.min_group_size,
        staff_attributes=tuple(log.staff_attributes), person_columns=("user",),
        allow_staff_attributes=config.allow_staff_attributes, intersections=config.intersections,
        replicates=40, seed=7, case_noun="tickets",
    )
    assert audit_settings(log, config).options == replace(settings.options, replicates=1000)


def test_settings_without_an_audit_config_come_from_the_log_config_and_the_defaults(repo_root):
    log = load_log_config(repo_root / "configs" / "logs" / "demo.yaml")
    settings = audit_settings(log, seed=3)
    assert settings.group_attributes == ("department", "channel")
    assert settings.options == AuditOptions(min_group_size=10, staff_attributes=tuple(log.staff_attributes),
                                            person_columns=("user",), seed=3, replicates=1000)
