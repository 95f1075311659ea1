"""A child process → one that ends with the process that started it (Linux ``PR_SET_PDEATHSIG``).

``death_signal()`` → a function that asks the kernel to kill the calling process when its
parent dies (None where the call does not exist); everything it needs is looked up
before, so it can run between fork and exec (``subprocess.Popen(preexec_fn=…)``).
``die_with_parent()`` makes that call in the current process (a forked worker or reader).
"""
from __future__ import annotations

from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def death_signal() -> Callable[[], object] | None:
    """The call that makes the calling process die with its parent, ready to run; None where unsupported."""
    try:
        import ctypes
        import signal

        prctl, kill = ctypes.CDLL(None, use_errno=True).prctl, int(signal.SIGKILL)
    except (OSError, AttributeError):
        return None
    return lambda: prctl(PR_SET_PDEATHSIG, kill)


def die_with_parent() -> None:
    """Linux: the kernel kills this process when the process that started it dies."""
    if (call := death_signal()) is not None:
        call()
