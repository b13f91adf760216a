"""One device resolver for training and inference: cuda, then mps, then cpu; and what the
CPU can do (its feature flags, whether it multiplies bf16 in hardware)."""

from __future__ import annotations

import platform
from collections.abc import Collection
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigError

CPUINFO = Path("/proc/cpuinfo")
#: The flags of CPUs that multiply bf16 in hardware: AMX tiles, AVX-512 BF16.
NATIVE_BF16_FLAGS = frozenset({"amx_tile", "avx512_bf16"})


def resolve_device(requested: str | None = None) -> Any:
    """A ``torch.device``: the requested one, else the best available.

    >>> str(resolve_device("cpu"))
    'cpu'
    """
    import torch

    if requested:
        try:
            device = torch.device(requested)
        except RuntimeError as error:
            raise ConfigError(f"unknown device {requested!r} ({error})") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ConfigError(f"device {requested!r} asked for, but CUDA is not available")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def cpuinfo(text: str | None = None) -> dict[str, str]:
    r"""The first processor's fields in Linux's /proc/cpuinfo (``model name``, ``flags``, ...),
    read from ``text`` or else the file; empty where there is no such file (not Linux).

    >>> cpuinfo("processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu avx2\n\nprocessor\t: 1\n")
    {'processor': '0', 'model name': 'Xeon', 'flags': 'fpu avx2'}
    """
    if text is None:
        try:
            text = CPUINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() and fields:
            break  # the end of the first processor's block
        key, colon, value = line.partition(":")
        if colon:
            fields.setdefault(key.strip(), value.strip())
    return fields


def cpu_model(text: str | None = None) -> str:
    r"""The CPU's model name (``cpuinfo(text)``'s ``model name``; where there is none, what
    ``platform`` says of the processor or the machine).

    >>> cpu_model("model name\t: Intel(R) Xeon(R) Processor\n")
    'Intel(R) Xeon(R) Processor'
    """
    return cpuinfo(text).get("model name") or platform.processor() or platform.machine()


def cpu_flags(text: str | None = None) -> frozenset[str]:
    r"""The CPU's feature flags as Linux names them (``avx2``, ``amx_tile``, ``avx512_bf16``,
    ...), from ``cpuinfo(text)``; empty where they cannot be read (not Linux).

    >>> sorted(cpu_flags("flags\t: fpu avx2 amx_tile\n"))
    ['amx_tile', 'avx2', 'fpu']
    """
    return frozenset(cpuinfo(text).get("flags", "").split())


def cpu_has_native_bf16(flags: Collection[str] | None = None) -> bool:
    """True where the CPU multiplies bf16 in hardware (AMX tiles or AVX-512 BF16, e.g. Xeon
    Sapphire Rapids): bf16 there is about twice as fast as float32, elsewhere emulated and
    slower. Decided by ``flags``, else this CPU's ``cpu_flags()``; where those cannot be read
    (not Linux) False, so callers keep float32: always correct, at worst slower.
    (``torch.backends.cpu.get_cpu_capability()`` cannot tell: it says ``AVX512`` with AMX.)

    >>> cpu_has_native_bf16({"avx2", "avx512f"}), cpu_has_native_bf16({"avx512_bf16"})
    (False, True)
    """
    return bool(NATIVE_BF16_FLAGS & set(cpu_flags() if flags is None else flags))
