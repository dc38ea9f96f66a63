"""`tf.train.SessionRunHook` and the values passed to hooks around each
`MonitoredSession.run` (`SessionRunArgs`, `SessionRunContext`, `SessionRunValues`)."""

from __future__ import annotations

import collections

__all__ = ["SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues"]


class SessionRunHook:
    """Extends a MonitoredSession: called when the graph is about to be finalized
    (`begin`), when a session is created (`after_create_session`), around every run
    (`before_run`, `after_run`) and when the session ends (`end`)."""

    def begin(self) -> None:
        """Called once before the session is used; the graph may still be changed."""

    def after_create_session(self, session, coord) -> None:
        """Called when a new session is created (and again after a recovery)."""

    def before_run(self, run_context):
        """Returns a `SessionRunArgs` to add fetches/feeds/options to the coming run,
        or None."""
        return None

    def after_run(self, run_context, run_values) -> None:
        """Called after each run with the results of this hook's fetches."""

    def end(self, session) -> None:
        """Called at the end of the session (not when it ends with an error)."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: fetches, feeds and RunOptions."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunContext:
    """The run being made (`original_args`), the session, and a way for a hook to ask
    the loop to stop."""

    def __init__(self, original_args, session) -> None:
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        """Makes `should_stop()` of the monitored session return True after this run."""
        self._stop_requested = True


class SessionRunValues(
    collections.namedtuple("SessionRunValues", ["results", "options", "run_metadata"])
):
    """What a hook gets back: the values of its fetches, the options and metadata."""
