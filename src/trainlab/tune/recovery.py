"""Resuming a study after a crash: dead workers' trials, fresh samples.

Three things make a rerun of a study after ``kill -9`` continue the search
instead of stalling or repeating it:

* **Dead workers, found at once.** Each trial records the host and process id
  of its worker (`mark_worker`). A rerun on the same host finds trials left
  RUNNING by a process that no longer exists (`recover_dead_trials`), marks
  them FAIL and queues their parameters again (Optuna's retry bookkeeping, so
  they do not count against ``max_trials``), without waiting for their
  heartbeat to go stale. Trials of workers on other hosts are still judged by
  their heartbeat.
* **A new sampler seed per resume.** `resume_seed` mixes the tuner's seed, the
  worker number and the number of trials already in the study, so an extended
  or resumed study does not replay the first run's draws; a fresh study (no
  trials yet) keeps the seed it always had.
* **No configuration twice.** `config_key` identifies a drawn configuration;
  the tuner draws again (a bounded number of times) when a sampler repeats one.

Example:
    >>> resume_seed(0, worker=0, n_trials=0)
    0
    >>> resume_seed(0, worker=0, n_trials=4) != resume_seed(0, worker=0, n_trials=0)
    True
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import warnings
from typing import Any

__all__ = ["WORKER_ATTR", "DUPLICATE_ATTR", "mark_worker", "recover_dead_trials", "resume_seed", "config_key",
           "pid_alive"]

#: Trial system attribute with ``{"host", "pid"}`` of the worker running it.
WORKER_ATTR = "trainlab_worker"
#: Trial system attribute of a draw dropped because it repeated a configuration.
DUPLICATE_ATTR = "trainlab_duplicate"


def resume_seed(seed: int, *, worker: int, n_trials: int) -> int:
    """The sampler seed of a worker joining a study that holds `n_trials` trials.

    ``seed + 7919 * worker`` for a fresh study (as before resumes existed);
    otherwise a hash of all three, so every resume samples anew.
    """
    base = int(seed) + 7919 * int(worker)
    if not n_trials:
        return base
    digest = hashlib.sha256(f"{seed}/{worker}/{n_trials}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % (2 ** 31 - 1)


def config_key(params: dict[str, Any]) -> str:
    """A canonical text of a configuration (equal configurations, equal keys)."""
    return json.dumps(params, sort_keys=True, default=str)


def pid_alive(pid: int) -> bool:
    """Whether a process with id `pid` exists on this machine."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except (OSError, ValueError, OverflowError):
        return False
    return True


def mark_worker(storage: Any, trial_id: int) -> None:
    """Record this process (host and pid) as the worker of trial `trial_id`."""
    storage.set_trial_system_attr(trial_id, WORKER_ATTR, {"host": socket.gethostname(), "pid": os.getpid()})


def recover_dead_trials(study: Any, *, max_retry: int) -> list[int]:
    """Fail the RUNNING trials whose worker process on this host is gone, and
    queue their parameters again (at most `max_retry` times per trial).

    Returns:
        The numbers of the trials marked failed.
    """
    import optuna
    from optuna.trial import TrialState

    host, me = socket.gethostname(), os.getpid()
    storage = study._storage
    retry = optuna.storages.RetryFailedTrialCallback(max_retry=max_retry)
    failed = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = trial.system_attrs.get(WORKER_ATTR)
        if not isinstance(worker, dict) or worker.get("host") != host or worker.get("pid") == me:
            continue
        if pid_alive(worker.get("pid", -1)):
            continue
        try:
            if not storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
                continue  # another worker got there first
        except RuntimeError:  # already finished by someone else
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # RetryFailedTrialCallback is experimental
            retry(study, storage.get_trial(trial._trial_id))
        failed.append(trial.number)
    return failed
