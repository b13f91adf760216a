"""One device resolver for training and inference: cuda, then mps, then cpu."""

from __future__ import annotations

from typing import Any

from newsdesk.errors import ConfigError


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
