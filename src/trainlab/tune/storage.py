"""Where trials live: Optuna RDB storage (SQLite by default, PostgreSQL to share).

* ``storage=None`` uses a SQLite file, ``<directory>/<study_name>.db``:
  embedded, nothing to install, fine for several worker processes on one
  machine.
* ``storage="postgresql://user:password@host:5432/db"`` lets worker processes
  on one or many machines share one study.
* Any SQLAlchemy URL Optuna accepts works (``mysql+pymysql://...``), and every
  study opens in ``optuna-dashboard <url>``: it is standard Optuna storage.

Killed workers: each running trial sends a heartbeat; a trial whose worker
stopped beating for `grace_period` seconds is marked failed by the next worker
that starts, and queued again with the same parameters (up to `max_retry`
times), so a study killed mid-way resumes without losing finished trials.

Storage outages: `open_storage` fails fast, before anything trains, with an
error that names the URL (password hidden) and how to fix it. A result that
cannot be written after retries is appended to a local *pending* file and
written to the study by the next search (`PendingResults`), so no finished
trial is lost.

Example:
    >>> storage = open_storage("sqlite:///:memory:")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._io import atomic_write_text

__all__ = ["StorageUnreachableError", "open_storage", "default_storage_url", "study_file_stem", "redact_url", "PendingResults",
           "with_retries", "is_storage_error"]


class StorageUnreachableError(ConnectionError):
    """The trial storage (database) cannot be reached or written."""


def redact_url(url: str) -> str:
    """`url` with its password replaced by ``***``.

    Example:
        >>> redact_url("postgresql://me:secret@db:5432/tune")
        'postgresql://me:***@db:5432/tune'
    """
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", str(url))


def study_file_stem(study_name: str) -> str:
    """`study_name` made safe as a file name inside the tuner's `directory`.

    Every character other than letters, digits, ``_``, ``-`` and ``.`` becomes
    ``_``, and leading dots are dropped, so that ``"../x"`` or ``"/etc/x"`` can
    never place the database (or the report) outside `directory`. The study in
    the storage keeps its full name.

    Example:
        >>> study_file_stem("../../etc/passwd")
        '_.._etc_passwd'
    """
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", str(study_name)).lstrip(".")
    return stem or "study"


def default_storage_url(directory: str | os.PathLike, study_name: str) -> str:
    """``sqlite:///<directory>/<study_name>.db`` (absolute path; see `study_file_stem`)."""
    path = Path(directory).resolve() / f"{study_file_stem(study_name)}.db"
    return f"sqlite:///{path}"


def is_storage_error(exc: BaseException) -> bool:
    """Whether `exc` means the database could not be reached or written."""
    try:
        import sqlalchemy.exc as sa_exc
    except ImportError:  # pragma: no cover
        sa_exc = None
    import optuna

    if isinstance(exc, (optuna.exceptions.StorageInternalError, StorageUnreachableError)):
        return True
    if sa_exc is not None and isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError,
                                               sa_exc.DisconnectionError)):
        return True
    return isinstance(exc, (ConnectionError, TimeoutError))


def open_storage(url: str | None = None, *, directory: str | os.PathLike = "runs/tune", study_name: str = "study",
                 heartbeat_interval: int | None = 30, grace_period: int | None = None, max_retry: int = 2,
                 connect_timeout: int = 10) -> Any:
    """An Optuna `RDBStorage` for `url` (default: a SQLite file in `directory`).

    Args:
        url: SQLAlchemy URL, e.g. ``sqlite:///tune.db`` or
            ``postgresql://user:pw@host/db``; None for the default SQLite file.
        heartbeat_interval: seconds between heartbeats of running trials
            (None disables stale-trial detection).
        grace_period: seconds without a heartbeat before a running trial
            counts as dead (default: twice `heartbeat_interval`).
        max_retry: how often a trial of a dead worker is queued again.
        connect_timeout: seconds to wait for a database server.

    Raises:
        StorageUnreachableError: the database cannot be reached, with the
            reason and what to do.
        ValueError: the URL is malformed or names a missing driver.
    """
    import optuna
    import sqlalchemy.exc as sa_exc

    if url is None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        url = default_storage_url(directory, study_name)
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(
            f"`storage` must be a database URL such as 'sqlite:///tune.db' or "
            f"'postgresql://user:password@localhost:5432/tune'; received {url!r}."
        )
    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs["connect_args"] = {"timeout": 60}
    else:
        engine_kwargs["pool_pre_ping"] = True
        if url.startswith(("postgresql", "postgres")):
            engine_kwargs["connect_args"] = {"connect_timeout": int(connect_timeout)}
    kwargs: dict[str, Any] = {}
    if heartbeat_interval:
        kwargs = {"heartbeat_interval": int(heartbeat_interval), "grace_period": grace_period}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if hasattr(optuna.storages, "RetryHeartbeatStaleTrialCallback"):  # optuna >= 4.9
                kwargs["heartbeat_stale_trial_callback"] = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry)
            else:  # pragma: no cover - older optuna
                kwargs["failed_trial_callback"] = optuna.storages.RetryFailedTrialCallback(max_retry)
    try:
        for attempt in range(5):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # optuna marks heartbeats as experimental
                    return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs, **kwargs)
            except (sa_exc.IntegrityError, sa_exc.ProgrammingError):
                # workers starting together on a fresh database race to create Optuna's tables: the
                # loser sees "already exists" / a duplicate key; the tables are there on the next try
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DBAPIError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else type(exc).__name__
        raise StorageUnreachableError(
            f"`storage` {redact_url(url)!r} could not be reached: {reason}. Check that the database server runs and "
            f"accepts connections from this machine (host, port, user, password, database name), or leave "
            f"`storage` unset to use a local SQLite file. Nothing was trained and no trial was recorded."
        ) from None
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        raise ValueError(
            f"`storage` {redact_url(url)!r} is not a usable database URL: {exc}. Use 'sqlite:///path.db' or "
            f"'postgresql://user:password@host:5432/db' (install the driver with `pip install psycopg2-binary`)."
        ) from None


def with_retries(fn: Callable[[], Any], *, attempts: int = 4, delay: float = 0.5) -> Any:
    """Call `fn`, retrying storage errors with exponential back-off."""
    for i in range(attempts):
        try:
            return fn()
        except Exception as exc:
            if not is_storage_error(exc) or i == attempts - 1:
                raise
            time.sleep(delay * (2 ** i))
    return None  # pragma: no cover


class PendingResults:
    """Finished trial results that could not be written to the storage yet.

    One JSON object per line in ``<directory>/<study_name>.pending.jsonl``;
    `replay` writes them into the study and empties the file.
    """

    def __init__(self, directory: str | os.PathLike, study_name: str):
        self.path = Path(directory) / f"{study_file_stem(study_name)}.pending.jsonl"

    def add(self, record: dict) -> None:
        old = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        atomic_write_text(self.path, old + json.dumps(record, default=float) + "\n")

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def replay(self, study: Any) -> int:
        """Write pending results into `study`; returns how many were written."""
        import optuna
        from optuna.trial import TrialState

        records = self.records()
        if not records:
            return 0
        by_id = {t._trial_id: t for t in study.get_trials(deepcopy=False)}
        for rec in records:
            state = TrialState[rec["state"]]
            existing = by_id.get(rec["trial_id"])
            if existing is not None and existing.state == TrialState.RUNNING:
                trial = optuna.Trial(study, rec["trial_id"])
                for k, v in rec["user_attrs"].items():
                    trial.set_user_attr(k, v)
                for step, v in rec.get("intermediate", {}).items():
                    if int(step) not in existing.intermediate_values:
                        with contextlib.suppress(Exception):
                            trial.report(float(v), int(step))
                study.tell(trial, rec["value"] if state == TrialState.COMPLETE else None, state=state)
            else:
                dists = {k: optuna.distributions.json_to_distribution(v) for k, v in rec["distributions"].items()}
                frozen = optuna.trial.create_trial(
                    state=state, value=rec["value"] if state == TrialState.COMPLETE else None,
                    params=rec["params"], distributions=dists,
                    user_attrs={**rec["user_attrs"], "recovered_from": rec["number"]},
                    intermediate_values={int(k): float(v) for k, v in rec.get("intermediate", {}).items()})
                study.add_trial(frozen)
        self.path.unlink()
        return len(records)
