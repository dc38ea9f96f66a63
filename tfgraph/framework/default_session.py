"""The default session of each thread (`with sess:` / `sess.as_default()`), and running
a tensor or an op in it (`Tensor.eval`, `Operation.run`).

It lives below the client layer so that graph objects can run themselves without
importing it: the stack holds whatever session objects are made default (anything with
`graph` and `run`).
"""

from __future__ import annotations

import threading

__all__ = [
    "DefaultSessionContext",
    "eval_using_default_session",
    "get_default_session",
    "run_using_default_session",
]


class _DefaultSessionStack(threading.local):
    def __init__(self) -> None:
        self.stack: list = []


_default_session_stack = _DefaultSessionStack()


def get_default_session():
    """The innermost session made default in this thread (`with sess:`), or None."""
    stack = _default_session_stack.stack
    return stack[-1] if stack else None


class DefaultSessionContext:
    __slots__ = ("_graph_ctx", "_session")

    def __init__(self, session, enter_graph: bool) -> None:
        self._session = session
        self._graph_ctx = session.graph.as_default() if enter_graph else None

    def __enter__(self):
        _default_session_stack.stack.append(self._session)
        if self._graph_ctx is not None:
            self._graph_ctx.__enter__()
        return self._session

    def __exit__(self, *exc) -> None:
        if self._graph_ctx is not None:
            self._graph_ctx.__exit__(*exc)
        stack = _default_session_stack.stack
        if stack and stack[-1] is self._session:
            stack.pop()
        elif self._session in stack:
            stack.remove(self._session)


def eval_using_default_session(tensors, feed_dict, graph, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(
                "Cannot evaluate tensor using `eval()`: No default session is registered. "
                "Use `with sess.as_default()` or pass an explicit session to "
                "`eval(session=sess)`"
            )
        if session.graph is not graph:
            raise ValueError(
                "Cannot use the default session to evaluate tensor: the tensor's graph is "
                "different from the session's graph. Pass an explicit session to "
                "`eval(session=sess)`."
            )
    elif session.graph is not graph:
        raise ValueError(
            "Cannot use the given session to evaluate tensor: the tensor's graph is different "
            "from the session's graph."
        )
    return session.run(tensors, feed_dict)


def run_using_default_session(operation, feed_dict, graph, session=None) -> None:
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(
                "Cannot execute operation using `run()`: No default session is registered. "
                "Use `with sess.as_default():` or pass an explicit session to "
                "`run(session=sess)`"
            )
        if session.graph is not graph:
            raise ValueError(
                "Cannot use the default session to execute operation: the operation's graph "
                "is different from the session's graph. Pass an explicit session to "
                "run(session=sess)."
            )
    elif session.graph is not graph:
        raise ValueError(
            "Cannot use the given session to execute operation: the operation's graph is "
            "different from the session's graph."
        )
    session.run(operation, feed_dict)
