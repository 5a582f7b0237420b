"""The edge: an audit config run end to end, with the prediction stage stubbed at its documented interface."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.fairness import load_audit_config, run_audit, write_audit


def _demo_log(repo_root, folder, days=20):
    text = (repo_root / "configs" / "logs" / "demo.yaml").read_text(encoding="utf-8").replace("days: 365",
                                                                                             f"days: {days}")
    path = folder / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_model_audit_by_registered_name_uses_predict_frame(tmp_path, repo_root, monkeypatch):
    import workbench.models as models

    calls = {}

    def fake_load(name, *, version=None, tracking_uri=None):
        calls["name"] = name
        return "trained-model"

    def fake_predict(model, events, *, part="test", group_attributes=None):
        calls["part"], calls["groups"] = part, group_attributes
        cases = events.drop_duplicates("case_id")
        rng = np.random.default_rng(0)
        y = rng.exponential(2.0, len(cases))
        return pd.DataFrame({"case_id": cases["case_id"], "prefix_length": 2, "y_true": y,
                             "y_pred": y + rng.normal(0, 0.3, len(cases)),
                             **{g: cases[g].to_numpy() for g in group_attributes}})

    monkeypatch.setattr(models, "load_trained_model", fake_load)
    monkeypatch.setattr(models, "predict_frame", fake_predict)
    log = _demo_log(repo_root, tmp_path)
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(f"name: m\nlog: {log}\naudits: [model]\nreplicates: 50\n"
                   "model: {name: demo-duration, log_to_mlflow: false}\n", encoding="utf-8")
    result = run_audit(load_audit_config(cfg))
    assert calls == {"name": "demo-duration", "part": "test", "groups": ("department", "channel")}
    assert set(result.table["attribute"]) == {"department", "channel"}
    assert result.settings["model"]["time_unit"] == "d" and result.settings["model"]["weighting"] == "case"
    assert result.settings["audit"]["group_attributes"] == ["department", "channel"]
    paths = write_audit(result, tmp_path / "out")
    assert pd.read_csv(paths["table"]).shape[0] == len(result.table)
    assert "<section" in paths["html"].read_text(encoding="utf-8")
