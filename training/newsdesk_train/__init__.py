"""newsdesk_train: fine-tune newsdesk models from YAML recipes (needs the [train] extra)."""

__all__ = ["load_config", "train"]


def __getattr__(name: str):  # noqa: ANN202 - lazy re-exports
    if name == "load_config":
        from newsdesk_train.config import load_config

        return load_config
    if name == "train":
        from newsdesk_train.runner import train

        return train
    raise AttributeError(name)
