"""Device names: `DeviceSpec` parsing, printing and merging, and device functions.

A device name is `/job:<j>/replica:<r>/task:<t>/device:<TYPE>:<index>`; every part is
optional. Legacy short forms (`/gpu:1`, `CPU:0`, `gpu`) parse to the same spec.
Merging fills the fields a spec leaves open from another spec, which is how nested
`tf.device` blocks combine: `tf.device("/job:ps")` around `tf.device("/gpu:1")`
places ops on `/job:ps/device:GPU:1`.

`DeviceSpec` follows TF1's `tf.DeviceSpec` (`DeviceSpecV1`): its fields can be set,
`parse_from_string` and `merge_from` update it in place, and it hashes by its string.
"""

from __future__ import annotations

__all__ = [
    "DeviceSpec",
    "MergeDevice",
    "canonical_name",
    "check_valid",
    "is_device_spec",
    "merge_device",
]

# Device types a bare "<TYPE>[:<index>]" component may name (TF's known types).
_VALID_DEVICE_TYPES = frozenset({"CPU", "GPU", "TPU", "CUSTOM", "EPU"})

_PARSE_CACHE: dict[str, tuple] = {}
_PRINT_CACHE: dict[tuple, str] = {}


def _str_or_none(value):
    return None if value is None else str(value)


def _int_or_none(value):
    return None if value is None else int(value)


def _device_type_or_none(device_type):
    if device_type in ("cpu", "gpu"):
        return device_type.upper()
    return _str_or_none(device_type)


def _parse(spec) -> tuple:
    """(job, replica, task, device_type, device_index) of a device string."""
    cached = _PARSE_CACHE.get(spec)
    if cached is not None:
        return cached
    raw = spec
    job = replica = task = device_type = device_index = None
    spec = spec or ""
    for part in spec.split("/"):
        fields = part.split(":")
        n = len(fields)
        key = fields[0]
        if n == 2 and key == "job":
            job = fields[1]
        elif n == 2 and key == "replica":
            replica = int(fields[1])
        elif n == 2 and key == "task":
            task = int(fields[1])
        elif n in (1, 2) and key.upper() in _VALID_DEVICE_TYPES:
            if device_type is not None:
                raise ValueError(
                    f"Multiple device types are not allowed while parsing the device spec: {spec}."
                )
            device_type = key.upper()
            if n == 2 and fields[1] != "*":
                device_index = int(fields[1])
        elif n == 3 and key == "device":
            if device_type is not None:
                raise ValueError(
                    f"Multiple device types are not allowed while parsing the device spec: {spec}."
                )
            device_type = fields[1]
            if fields[2] != "*":
                device_index = int(fields[2])
        elif key != "":
            raise ValueError(
                f"Unknown attribute '{key}' is encountered while parsing the device spec: '{spec}'."
            )
    out = (job, replica, task, device_type, device_index)
    if isinstance(raw, str):
        _PARSE_CACHE[raw] = out
    return out


def _to_string(job, replica, task, device_type, device_index) -> str:
    key = (job, replica, task, device_type, device_index)
    cached = _PRINT_CACHE.get(key)
    if cached is not None:
        return cached
    out = ""
    if job is not None:
        out += "/job:" + job
    if replica is not None:
        out += f"/replica:{replica}"
    if task is not None:
        out += f"/task:{task}"
    if device_type is not None:
        index = "*" if device_index is None else str(device_index)
        out += f"/device:{device_type}:{index}"
    _PRINT_CACHE[key] = out
    return out


class DeviceSpec:
    """A (possibly partial) device specification (TF1 `tf.DeviceSpec`).

    Args:
        job: the job name, e.g. "ps" or "worker".
        replica: the replica index.
        task: the task index.
        device_type: "CPU", "GPU" (lower case "cpu"/"gpu" is accepted), or another type.
        device_index: the device index; None means any ("*").
    """

    __slots__ = ("_as_string", "_device_index", "_device_type", "_job", "_replica", "_task")

    def __init__(
        self,
        job: str | None = None,
        replica: int | None = None,
        task: int | None = None,
        device_type: str | None = None,
        device_index: int | None = None,
    ) -> None:
        self._job = _str_or_none(job)
        self._replica = _int_or_none(replica)
        self._task = _int_or_none(task)
        self._device_type = _device_type_or_none(device_type)
        self._device_index = _int_or_none(device_index)
        self._as_string: str | None = None

    # -- parsing -----------------------------------------------------------------------
    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        """Parses `spec` (e.g. "/job:ps/task:0/device:GPU:1", "/gpu:1", "CPU:0")."""
        return cls(*_parse(spec))

    def parse_from_string(self, spec: str) -> DeviceSpec:
        """Replaces every field of this spec by those parsed from `spec`; returns self."""
        (self.job, self.replica, self.task, self.device_type, self.device_index) = _parse(spec)
        return self

    # -- fields ------------------------------------------------------------------------
    @property
    def job(self) -> str | None:
        return self._job

    @job.setter
    def job(self, job) -> None:
        self._job = _str_or_none(job)
        self._as_string = None

    @property
    def replica(self) -> int | None:
        return self._replica

    @replica.setter
    def replica(self, replica) -> None:
        self._replica = _int_or_none(replica)
        self._as_string = None

    @property
    def task(self) -> int | None:
        return self._task

    @task.setter
    def task(self, task) -> None:
        self._task = _int_or_none(task)
        self._as_string = None

    @property
    def device_type(self) -> str | None:
        return self._device_type

    @device_type.setter
    def device_type(self, device_type) -> None:
        self._device_type = _device_type_or_none(device_type)
        self._as_string = None

    @property
    def device_index(self) -> int | None:
        return self._device_index

    @device_index.setter
    def device_index(self, device_index) -> None:
        self._device_index = _int_or_none(device_index)
        self._as_string = None

    def _fields(self) -> tuple:
        return (self._job, self._replica, self._task, self._device_type, self._device_index)

    def replace(self, **kwargs) -> DeviceSpec:
        """A copy of this spec with the given fields replaced."""
        fields = dict(
            job=self._job,
            replica=self._replica,
            task=self._task,
            device_type=self._device_type,
            device_index=self._device_index,
        )
        unknown = set(kwargs) - set(fields)
        if unknown:
            raise TypeError(f"__init__() got an unexpected keyword argument '{sorted(unknown)[0]}'")
        fields.update(kwargs)
        return self.__class__(**fields)

    def _combined(self, dev: DeviceSpec) -> tuple:
        return (
            dev._job if dev._job is not None else self._job,
            dev._replica if dev._replica is not None else self._replica,
            dev._task if dev._task is not None else self._task,
            dev._device_type if dev._device_type is not None else self._device_type,
            dev._device_index if dev._device_index is not None else self._device_index,
        )

    def make_merged_spec(self, dev: DeviceSpec) -> DeviceSpec:
        """A new spec with this spec's fields, overridden by the fields `dev` sets."""
        return self.__class__(*self._combined(dev))

    def merge_from(self, dev: DeviceSpec) -> None:
        """Overrides this spec's fields by the fields `dev` sets (in place)."""
        (self.job, self.replica, self.task, self.device_type, self.device_index) = self._combined(
            dev
        )

    # -- printing ----------------------------------------------------------------------
    def to_string(self) -> str:
        """The canonical name, e.g. "/job:ps/replica:0/task:1/device:GPU:2"."""
        s = self._as_string
        if s is None:
            s = self._as_string = _to_string(*self._fields())
        return s

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return (
            f"<DeviceSpec(job={self._job}, replica={self._replica}, task={self._task}, "
            f"device_type={self._device_type}, device_index={self._device_index})>"
        )

    def __eq__(self, other) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())


def is_device_spec(obj) -> bool:
    return isinstance(obj, DeviceSpec)


def canonical_name(device) -> str:
    """The canonical string form of `device` (a string, DeviceSpec or None)."""
    if device is None:
        return ""
    if isinstance(device, DeviceSpec):
        return device.to_string()
    return _to_string(*_parse(device))


def check_valid(spec: str) -> None:
    """Raises ValueError if `spec` is not a valid device name."""
    _parse(spec)


class MergeDevice:
    """The device function of `tf.device(<name or DeviceSpec>)`: fills the fields an
    op's device leaves open from the spec (results are cached per input device)."""

    __slots__ = ("_cache", "_fields", "_spec")

    def __init__(self, spec) -> None:
        if isinstance(spec, DeviceSpec):
            spec = DeviceSpec(*spec._fields())  # a private copy: the caller may mutate theirs
        else:
            spec = DeviceSpec.from_string(spec)
        self._spec = spec
        self._fields = spec._fields()
        self._cache: dict[str, str] = {}

    @property
    def spec(self) -> DeviceSpec:
        return self._spec

    @property
    def is_null_merge(self) -> bool:
        """Whether merging changes nothing (`tf.device("")`)."""
        return not self._spec.to_string()

    def __call__(self, node_def) -> DeviceSpec:
        current = DeviceSpec.from_string(getattr(node_def, "device", "") or "")
        return self._spec.make_merged_spec(current)

    def merge_string(self, device: str) -> str:
        """The merged device string for an op currently on `device`."""
        out = self._cache.get(device)
        if out is None:
            current = _parse(device)
            out = _to_string(
                *(
                    cur if cur is not None else mine
                    for cur, mine in zip(current, self._fields, strict=True)
                )
            )
            self._cache[device] = out
        return out

    def shortcut_string_merge(self, node_def) -> str:
        return self.merge_string(getattr(node_def, "device", "") or "")

    def __repr__(self) -> str:
        return f"<MergeDevice (spec: {self._spec.to_string()})>"


_MERGERS: dict = {}


def merge_device(spec) -> MergeDevice:
    """The device function merging `spec` (a device string or DeviceSpec) into ops."""
    if isinstance(spec, MergeDevice):
        return spec
    if isinstance(spec, str):
        merger = _MERGERS.get(spec)
        if merger is None:
            merger = _MERGERS[spec] = MergeDevice(spec)
        return merger
    return MergeDevice(spec if spec is not None else "")
