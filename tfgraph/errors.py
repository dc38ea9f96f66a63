"""TensorFlow's error classes: `OpError` and one subclass per status code.

`str(error)` is the message, as in TensorFlow; errors raised while running a graph
name the failing node the way TF does (`[[{{node v/read}}]]`), so a user can find
it in the graph.
"""

from __future__ import annotations

__all__ = [
    "ABORTED",
    "ALREADY_EXISTS",
    "CANCELLED",
    "DATA_LOSS",
    "DEADLINE_EXCEEDED",
    "FAILED_PRECONDITION",
    "INTERNAL",
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "OK",
    "OUT_OF_RANGE",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "UNAUTHENTICATED",
    "UNAVAILABLE",
    "UNIMPLEMENTED",
    "UNKNOWN",
    "AbortedError",
    "AlreadyExistsError",
    "CancelledError",
    "DataLossError",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "InternalError",
    "InvalidArgumentError",
    "NotFoundError",
    "OpError",
    "OutOfRangeError",
    "PermissionDeniedError",
    "ResourceExhaustedError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "UnknownError",
    "error_code_from_exception_type",
    "exception_type_from_error_code",
    "raise_exception_on_not_ok_status",
]

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """A failure while running (or preparing to run) a TensorFlow graph.

    Attributes:
        node_def: the `NodeDef` of the failing op, or None.
        op: the failing `Operation`, or None.
        message: the error message.
        error_code: one of the status codes in this module.
    """

    def __init__(self, node_def, op, message: str, error_code: int = UNKNOWN, *args) -> None:
        super().__init__(message, *args)
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code

    def __reduce__(self):
        return self.__class__, (self._node_def, self._op, self._message)

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def error_code(self) -> int:
        return self._error_code

    @property
    def node_def(self):
        if self._node_def is None and self._op is not None:
            return self._op.node_def
        return self._node_def

    @property
    def experimental_payloads(self) -> dict:
        return {}

    def __str__(self) -> str:
        return self._message


class CancelledError(OpError):
    """An operation or step was cancelled."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, CANCELLED, *args)


class UnknownError(OpError):
    """An unknown error occurred."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, UNKNOWN, *args)


class InvalidArgumentError(OpError):
    """An operation received an invalid argument."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, INVALID_ARGUMENT, *args)


class DeadlineExceededError(OpError):
    """A deadline expired before the operation."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, DEADLINE_EXCEEDED, *args)


class NotFoundError(OpError):
    """A requested entity was not found."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, NOT_FOUND, *args)


class AlreadyExistsError(OpError):
    """An entity that we attempted to create already exists."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, ALREADY_EXISTS, *args)


class PermissionDeniedError(OpError):
    """The caller lacks permission for an operation."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, PERMISSION_DENIED, *args)


class ResourceExhaustedError(OpError):
    """Some resource has been exhausted."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, RESOURCE_EXHAUSTED, *args)


class FailedPreconditionError(OpError):
    """The system is not in a state to execute an operation (e.g. uninitialized variable)."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, FAILED_PRECONDITION, *args)


class AbortedError(OpError):
    """The operation was aborted."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, ABORTED, *args)


class OutOfRangeError(OpError):
    """An operation iterated past the valid input range."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, OUT_OF_RANGE, *args)


class UnimplementedError(OpError):
    """The operation has not been implemented."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, UNIMPLEMENTED, *args)


class InternalError(OpError):
    """An internal invariant was broken."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, INTERNAL, *args)


class UnavailableError(OpError):
    """The runtime is unavailable."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, UNAVAILABLE, *args)


class DataLossError(OpError):
    """Unrecoverable data loss or corruption."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, DATA_LOSS, *args)


class UnauthenticatedError(OpError):
    """The request lacks valid credentials."""

    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, UNAUTHENTICATED, *args)


_CODE_TO_CLASS: dict[int, type[OpError]] = {
    CANCELLED: CancelledError,
    UNKNOWN: UnknownError,
    INVALID_ARGUMENT: InvalidArgumentError,
    DEADLINE_EXCEEDED: DeadlineExceededError,
    NOT_FOUND: NotFoundError,
    ALREADY_EXISTS: AlreadyExistsError,
    PERMISSION_DENIED: PermissionDeniedError,
    RESOURCE_EXHAUSTED: ResourceExhaustedError,
    FAILED_PRECONDITION: FailedPreconditionError,
    ABORTED: AbortedError,
    OUT_OF_RANGE: OutOfRangeError,
    UNIMPLEMENTED: UnimplementedError,
    INTERNAL: InternalError,
    UNAVAILABLE: UnavailableError,
    DATA_LOSS: DataLossError,
    UNAUTHENTICATED: UnauthenticatedError,
}
_CLASS_TO_CODE = {cls: code for code, cls in _CODE_TO_CLASS.items()}


def exception_type_from_error_code(error_code: int) -> type[OpError]:
    return _CODE_TO_CLASS[error_code]


def error_code_from_exception_type(cls: type) -> int:
    return _CLASS_TO_CODE[cls]


class Status:
    """A status a `raise_exception_on_not_ok_status` block may set: `code` (OK = 0) and
    `message` (TF's C API TF_Status, as a plain object)."""

    __slots__ = ("code", "message")

    def __init__(self) -> None:
        self.code = OK
        self.message = ""

    def set(self, code: int, message: str) -> None:
        self.code = int(code)
        self.message = str(message)


class raise_exception_on_not_ok_status:
    """Context manager yielding a `Status`; on leaving the block, raises the `OpError`
    subclass for its code when a callee set it to something other than OK."""

    def __enter__(self) -> Status:
        self.status: Status | None = Status()
        return self.status

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        status, self.status = self.status, None
        if status is not None and status.code != OK:
            cls = _CODE_TO_CLASS.get(status.code)
            if cls is None:
                raise UnknownError(None, None, status.message, status.code)
            raise cls(None, None, status.message)
