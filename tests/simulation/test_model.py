from __future__ import annotations

import pytest

from workbench.errors import ConfigError
from workbench.simulation import load_model, model_from_yaml, model_to_yaml, save_model
from workbench.simulation.model import RoutingRule, SimulationModel


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_model_round_trips_through_yaml_and_json(toy_model: SimulationModel, tmp_path, suffix: str):
    path = save_model(toy_model, tmp_path / f"model{suffix}")
    assert load_model(path) == toy_model


def test_discovered_model_round_trips_and_reads_like_a_document(demo_model: SimulationModel):
    text = model_to_yaml(demo_model)
    assert model_from_yaml(text) == demo_model
    assert text.startswith("# Simulation model 'demo'")
    assert "weekly_rate: [" in text  # numbers on one line, not one per line
    assert "when: {}" not in text  # empty optional parts are left out


def test_edited_model_is_checked_on_load(toy_model: SimulationModel):
    text = model_to_yaml(toy_model).replace("next: {Reply: 0.8, Fix: 0.2}", "next: {Replyy: 0.8, Fix: 0.2}")
    with pytest.raises(ConfigError, match="leads to 'Replyy': no such activity"):
        model_from_yaml(text, source="model.yaml")
    with pytest.raises(ConfigError, match="does not exist"):
        load_model("no/such/model.yaml")


def test_routing_probabilities_are_normalised():
    rule = RoutingRule(at="A", next={"B": 2.0, "C": 2.0})
    assert rule.next == {"B": 0.5, "C": 0.5}
    with pytest.raises(ValueError, match="must not be negative"):
        RoutingRule(at="A", next={"B": -0.1, "C": 1.1})
