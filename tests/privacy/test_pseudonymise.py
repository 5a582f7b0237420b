"""Keyed pseudonymisation and suppression of small groups."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from workbench.errors import PrivacyError
from workbench.privacy import pseudonymise_series, resolve_secret, suppress_small_groups

KEY = b"a-long-enough-test-key-0123456789"


def test_same_input_and_key_same_pseudonym() -> None:
    values = pd.Series(["anna", "bo", "anna", None])
    a = pseudonymise_series(values, KEY, "staff")
    b = pseudonymise_series(values, KEY, "staff")
    assert a.tolist() == b.tolist()
    assert a.iloc[0] == a.iloc[2] != a.iloc[1]
    assert pd.isna(a.iloc[3])
    assert a.iloc[0].startswith("staff-") and len(a.iloc[0]) == len("staff-") + 16


@pytest.mark.parametrize("values", [
    pd.Series(["anna", "bo", None, "anna", "", float("nan")], index=[5, 3, 9, 1, 2, 0]),
    pd.Series(["anna", "bo", pd.NA], dtype="string"),
    pd.Series([1, 1.0, True, None, "1"], dtype=object),  # equal as values, different as text
    pd.Series([7.0, float("nan"), 7.5]),
    pd.Series([], dtype=object),
])
def test_pseudonyms_are_the_keyed_hash_of_each_value_as_text(values: pd.Series) -> None:
    import hmac

    got = pseudonymise_series(values, KEY, "staff")
    assert str(got.dtype) == "string" and got.index.equals(values.index)
    for value, pseudonym in zip(values, got, strict=True):
        if pd.isna(value):
            assert pd.isna(pseudonym)
        else:
            assert pseudonym == "staff-" + hmac.new(KEY, str(value).encode(), hashlib.sha256).hexdigest()[:16]


def test_pseudonymising_a_frame_leaves_the_callers_frame_as_it_was() -> None:
    from workbench.privacy import pseudonymise_frame

    frame = pd.DataFrame({"resource": ["anna", "bo"], "x": [1, 2]})
    out = pseudonymise_frame(frame, {"resource": "staff", "absent": "a"}, KEY)
    assert frame["resource"].tolist() == ["anna", "bo"]
    assert out["resource"].str.startswith("staff-").all() and out["x"].tolist() == [1, 2]


def test_another_key_gives_other_pseudonyms() -> None:
    values = pd.Series(["anna", "bo"])
    assert set(pseudonymise_series(values, KEY, "s")).isdisjoint(pseudonymise_series(values, KEY + b"x", "s"))


def test_not_reversible_by_hashing_guesses_without_the_key() -> None:
    pseud = pseudonymise_series(pd.Series(["anna"]), KEY, "staff").iloc[0].removeprefix("staff-")
    for guess in (hashlib.sha256(b"anna").hexdigest(), hashlib.md5(b"anna").hexdigest(), hashlib.sha1(b"anna").hexdigest()):
        assert not guess.startswith(pseud)
    assert "anna" not in pseud


def test_missing_or_default_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_SECRET", raising=False)
    with pytest.raises(PrivacyError, match=r"pseudonymisation is on but no secret key is set; set the environment variable WORKBENCH_SECRET"):
        resolve_secret()
    for weak in ("changeme", "short"):
        monkeypatch.setenv("WORKBENCH_SECRET", weak)
        with pytest.raises(PrivacyError, match=r"is a default or shorter than 16 characters"):
            resolve_secret()


def test_a_logs_key_is_its_configs_and_none_when_it_is_not_pseudonymised(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.config.log import PrivacyConfig
    from workbench.privacy import log_key

    monkeypatch.delenv("WORKBENCH_SECRET", raising=False)
    monkeypatch.setenv("DESK_KEY", "a-long-enough-desk-key-0123")
    assert log_key(PrivacyConfig(pseudonymise=False)) is None  # no key needed, none asked for
    assert log_key(PrivacyConfig(secret_env="DESK_KEY")) == b"a-long-enough-desk-key-0123"
    assert log_key(PrivacyConfig(), secret="given-by-the-caller-0123") == b"given-by-the-caller-0123"
    with pytest.raises(PrivacyError, match="no secret key is set"):
        log_key(PrivacyConfig())


def test_load_log_pseudonymises_staff_and_users(tmp_path) -> None:
    from tests.io.test_readers import log_config, write_csv
    from workbench.io import load_log

    write_csv(tmp_path / "log.csv")
    loaded = load_log(log_config(tmp_path, {"path": "log.csv"}))
    assert not set(loaded.events["resource"]) & {"anna", "bo", "carl"}
    assert all(v.startswith("staff-") for v in loaded.events["resource"])


def test_load_log_refuses_without_secret(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.io.test_readers import log_config, write_csv
    from workbench.io import load_log

    monkeypatch.delenv("WORKBENCH_SECRET", raising=False)
    write_csv(tmp_path / "log.csv")
    with pytest.raises(PrivacyError, match="no secret key is set"):
        load_log(log_config(tmp_path, {"path": "log.csv"}))
    opted_out = log_config(tmp_path, {"path": "log.csv"}, privacy={"pseudonymise": False})
    assert "anna" in set(load_log(opted_out).events["resource"])


def test_the_missing_key_is_found_before_the_log_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.io.test_readers import log_config
    from workbench.io import load_log

    monkeypatch.delenv("WORKBENCH_SECRET", raising=False)
    # The file does not exist: the key error must come first, before any (slow) read.
    with pytest.raises(PrivacyError, match="no secret key is set"):
        load_log(log_config(tmp_path, {"path": "not-there.csv"}))


def test_small_groups_are_suppressed_and_shown() -> None:
    table = pd.DataFrame({"group": ["A", "B"], "cases": [50, 4], "median_h": [3.0, 9.0]})
    out = suppress_small_groups(table, "cases", 10)
    assert out["suppressed"].tolist() == [False, True]
    assert out["group"].tolist() == ["A", "B"]  # the group is shown, its figures are not
    assert pd.isna(out.loc[1, "median_h"]) and pd.isna(out.loc[1, "cases"])
    assert out.loc[0, "median_h"] == 3.0
    assert table["cases"].tolist() == [50, 4]  # input unchanged
