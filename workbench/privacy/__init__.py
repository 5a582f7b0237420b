"""Protection of people: keyed pseudonyms for person identifiers, suppression of small groups.

Pseudonyms are HMAC-SHA256 of the identifier under a secret key: the same input and
key give the same pseudonym (so analyses still join up), and without the key a
pseudonym cannot be traced back by hashing guesses. There is no default key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.errors import PrivacyError

if TYPE_CHECKING:
    from workbench.config.log import PrivacyConfig

__all__ = [
    "MIN_SECRET_LENGTH",
    "resolve_secret",
    "log_key",
    "pseudonymise_series",
    "pseudonymise_frame",
    "suppress_small_groups",
]

MIN_SECRET_LENGTH = 16
_WEAK_SECRETS = {"secret", "changeme", "change-me", "default", "password", "workbench", "test", "key"}


def resolve_secret(*, secret: str | None = None, secret_env: str = "WORKBENCH_SECRET") -> bytes:
    """Return the pseudonymisation key: ``secret`` if given, else the environment variable.

    Raises
    ------
    PrivacyError
        When no key is set, or the key is a known default or shorter than
        :data:`MIN_SECRET_LENGTH` characters.
    """
    value = secret if secret is not None else os.environ.get(secret_env)
    how = (
        f"set the environment variable {secret_env} to a long random string "
        "(e.g. python3 -c \"import secrets; print(secrets.token_hex(32))\") and keep it safe, "
        "or set privacy.pseudonymise: false in the log config to opt out"
    )
    if not value:
        raise PrivacyError(f"pseudonymisation is on but no secret key is set; {how}")
    if value.strip().lower() in _WEAK_SECRETS or len(value) < MIN_SECRET_LENGTH:
        raise PrivacyError(
            f"the pseudonymisation key in {secret_env if secret is None else 'secret'} is a default or shorter "
            f"than {MIN_SECRET_LENGTH} characters; {how}"
        )
    return value.encode("utf-8")


def log_key(privacy: PrivacyConfig, *, secret: str | None = None) -> bytes | None:
    """The key a log's person identifiers are pseudonymised with (``privacy`` is the log config's), or
    ``None`` when the log is not pseudonymised: what matches names declared in the log config
    (``non_staff``, ``staff``) to their pseudonyms."""
    return resolve_secret(secret=secret, secret_env=privacy.secret_env) if privacy.pseudonymise else None


def _pseudonym(key: bytes, prefix: str, value: str) -> str:
    return f"{prefix}-{hmac.new(key, value.encode('utf-8'), hashlib.sha256).hexdigest()[:16]}"


def pseudonymise_series(values: pd.Series, key: bytes, prefix: str) -> pd.Series:
    """Replace each identifier by ``"<prefix>-<16 hex digits>"`` (HMAC-SHA256 under ``key``).

    Missing values stay missing. Hashing is done once per distinct value: the values are
    factorised, the distinct ones hashed, and the pseudonyms taken by code.
    """
    if not key:
        raise PrivacyError("pseudonymisation key is empty")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(distinct, skipna=False) in ("string", "empty"):
        # text ids (the usual case): factorising is exact, one pseudonym per distinct text
        hashed = pd.array([_pseudonym(key, prefix, v) for v in distinct], dtype="string")
        return pd.Series(hashed.take(codes, allow_fill=True), index=values.index)  # code -1: missing
    # other cells (numbers, mixed types): equal values can differ as text (1 and 1.0), so map the text
    mask = values.notna()
    text = values[mask].astype(str)
    mapping = {v: _pseudonym(key, prefix, v) for v in pd.unique(text)}
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    out[mask] = text.map(mapping).astype("string")
    return out


def pseudonymise_frame(frame: pd.DataFrame, columns: dict[str, str], key: bytes) -> pd.DataFrame:
    """Return a copy of ``frame`` with each column in ``columns`` (name -> prefix) pseudonymised.

    The other columns are shared with ``frame``, not copied (columns are replaced, never
    written into, so ``frame`` is not changed).
    """
    out = frame.copy(deep=False)
    for column, prefix in columns.items():
        if column in out.columns:
            out[column] = pseudonymise_series(out[column], key, prefix)
    return out


def suppress_small_groups(
    frame: pd.DataFrame,
    count_column: str,
    min_size: int,
    *,
    value_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Blank the figures of rows whose ``count_column`` is below ``min_size``.

    Rows are kept and marked ``suppressed = True`` (so a reader sees that a group
    exists but is too small to report), their ``value_columns`` (default: every
    numeric column except the count) set to missing, and the count itself replaced
    by missing too, so the size of a tiny group is not disclosed either.
    """
    if min_size < 1:
        raise PrivacyError(f"min_size must be at least 1, got {min_size}")
    if count_column not in frame.columns:
        raise PrivacyError(f"column '{count_column}' is not in the table (columns: {list(frame.columns)})")
    out = frame.copy()
    small = out[count_column].to_numpy() < min_size
    if value_columns is None:
        value_columns = [
            c for c in out.columns if c != count_column and pd.api.types.is_numeric_dtype(out[c]) and c != "suppressed"
        ]
    for col in [*list(value_columns), count_column]:
        if small.any():
            if pd.api.types.is_integer_dtype(out[col]):
                out[col] = out[col].astype("Int64")
            out.loc[small, col] = pd.NA if out[col].dtype == object or str(out[col].dtype) in ("Int64", "string") else np.nan
    out["suppressed"] = small
    return out
