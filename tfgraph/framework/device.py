"""Device names: `DeviceSpec` parsing, printing and merging, and device functions.

A device name is `/job:<j>/replica:<r>/task:<t>/device:<TYPE>:<index>`; every part is
optional. Legacy short forms (`/gpu:1`, `CPU:0`) parse to the same spec. Merging
fills the fields a spec leaves open from another spec, which is how nested
`tf.device` blocks combine.
"""

from __future__ import annotations

__all__ = ["DeviceSpec", "canonical_name", "check_valid", "merge_device"]


class DeviceSpec:
    """A (possibly partial) device specification."""

    __slots__ = ("_device_index", "_device_type", "_job", "_replica", "_task")

    def __init__(
        self,
        job: str | None = None,
        replica: int | None = None,
        task: int | None = None,
        device_type: str | None = None,
        device_index: int | None = None,
    ) -> None:
        self._job = job
        self._replica = None if replica is None else int(replica)
        self._task = None if task is None else int(task)
        if device_type is not None:
            upper = device_type.upper()
            device_type = upper if upper in ("CPU", "GPU") else device_type
        self._device_type = device_type
        self._device_index = None if device_index is None else int(device_index)

    # -- parsing -----------------------------------------------------------------------
    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        """Parses `spec` (e.g. "/job:ps/task:0/device:GPU:1", "/gpu:1", "CPU:0")."""
        job = replica = task = device_type = device_index = None
        parts = [p for p in (spec or "").split("/") if p]
        for part in parts:
            fields = part.split(":")
            n = len(fields)
            key = fields[0].lower()
            if n == 2 and key == "job":
                job = fields[1]
            elif n == 2 and key == "replica":
                replica = _int(fields[1], spec)
            elif n == 2 and key == "task":
                task = _int(fields[1], spec)
            elif n == 3 and key == "device":
                device_type = fields[1]
                device_index = None if fields[2] == "*" else _int(fields[2], spec)
            elif n == 2 and key == "device":
                device_type = fields[1]
            elif n == 2 and key in ("cpu", "gpu"):
                device_type = key.upper()
                device_index = None if fields[1] == "*" else _int(fields[1], spec)
            elif n == 2 and fields[0] and fields[0][0].isalpha() and fields[0].isupper():
                device_type = fields[0]  # e.g. "TPU:0"
                device_index = None if fields[1] == "*" else _int(fields[1], spec)
            else:
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
        return cls(job, replica, task, device_type, device_index)

    def parse_from_string(self, spec: str) -> DeviceSpec:
        return DeviceSpec.from_string(spec)

    # -- fields ------------------------------------------------------------------------
    @property
    def job(self) -> str | None:
        return self._job

    @property
    def replica(self) -> int | None:
        return self._replica

    @property
    def task(self) -> int | None:
        return self._task

    @property
    def device_type(self) -> str | None:
        return self._device_type

    @property
    def device_index(self) -> int | None:
        return self._device_index

    def replace(self, **kwargs) -> DeviceSpec:
        fields = {
            "job": self._job,
            "replica": self._replica,
            "task": self._task,
            "device_type": self._device_type,
            "device_index": self._device_index,
        }
        unknown = set(kwargs) - set(fields)
        if unknown:
            raise TypeError(f"DeviceSpec.replace() got unexpected arguments {sorted(unknown)}")
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def make_merged_spec(self, dev: DeviceSpec) -> DeviceSpec:
        """A spec with this spec's fields, overridden by those `dev` sets."""
        return DeviceSpec(
            dev._job if dev._job is not None else self._job,
            dev._replica if dev._replica is not None else self._replica,
            dev._task if dev._task is not None else self._task,
            dev._device_type if dev._device_type is not None else self._device_type,
            dev._device_index if dev._device_index is not None else self._device_index,
        )

    def merge_from(self, dev: DeviceSpec) -> None:
        merged = self.make_merged_spec(dev)
        self._job, self._replica, self._task = merged._job, merged._replica, merged._task
        self._device_type, self._device_index = merged._device_type, merged._device_index

    # -- printing ----------------------------------------------------------------------
    def to_string(self) -> str:
        out = ""
        if self._job is not None:
            out += f"/job:{self._job}"
        if self._replica is not None:
            out += f"/replica:{self._replica}"
        if self._task is not None:
            out += f"/task:{self._task}"
        if self._device_type is not None:
            index = "*" if self._device_index is None else str(self._device_index)
            out += f"/device:{self._device_type}:{index}"
        return out

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f"<DeviceSpec {self.to_string()!r}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())


def _int(text: str, spec: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"Unknown attribute value '{text}' in device spec '{spec}'") from None


def canonical_name(device) -> str:
    """The canonical string form of `device` (a string, DeviceSpec or None)."""
    if device is None:
        return ""
    if isinstance(device, DeviceSpec):
        return device.to_string()
    return DeviceSpec.from_string(device).to_string()


def check_valid(spec: str) -> None:
    DeviceSpec.from_string(spec)


def merge_device(spec):
    """A device function that fills an op's open device fields from `spec`."""
    if not isinstance(spec, DeviceSpec):
        spec = DeviceSpec.from_string(spec or "")

    def _device_function(node_or_op) -> str:
        current = DeviceSpec.from_string(getattr(node_or_op, "device", "") or "")
        return spec.make_merged_spec(current).to_string()

    _device_function.merge_spec = spec  # type: ignore[attr-defined]
    return _device_function
