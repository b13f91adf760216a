"""Checks on what callers pass to predict/summarize: errors name the item's index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def check_texts(texts: Any, *, what: str = "text") -> list[str]:
    """A list of strings, or a TypeError naming the first bad item's index.

    A bare string is refused (it would be read as a sequence of characters).

    >>> check_texts(["a", "b"])
    ['a', 'b']
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"expected a list of {what}s, got a single {type(texts).__name__}; "
                        "wrap it in a list")
    if not isinstance(texts, Iterable):
        raise TypeError(f"expected a list of {what}s, got {type(texts).__name__}")
    if not isinstance(texts, Sequence):
        texts = list(texts)
    for index, item in enumerate(texts):
        if not isinstance(item, str):
            raise TypeError(f"{what} at index {index} is {type(item).__name__}, not str"
                            + ("; decode bytes first" if isinstance(item, bytes) else ""))
    return list(texts)


def check_pairs(pairs: Any) -> list[tuple[str, str]]:
    """A list of (target, text) string pairs, or a TypeError naming the bad index."""
    if isinstance(pairs, (str, bytes)):
        raise TypeError("expected a list of (target, text) pairs, got a single string")
    if not isinstance(pairs, Iterable):
        raise TypeError(f"expected a list of (target, text) pairs, got {type(pairs).__name__}")
    out: list[tuple[str, str]] = []
    for index, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"item at index {index} is not a (target, text) pair")
        target, text = pair
        for name, value in (("target", target), ("text", text)):
            if not isinstance(value, str):
                raise TypeError(f"{name} at index {index} is {type(value).__name__}, not str")
        out.append((target, text))
    return out


def check_visible(texts: Sequence[str], *, what: str = "text") -> None:
    """A ValueError naming the first of ``texts`` with nothing to classify: empty,
    whitespace only, or only control or format characters (see ``has_visible_text``)."""
    for index, text in enumerate(texts):
        if not has_visible_text(text):
            raise ValueError(f"{what} at index {index} is empty or whitespace only "
                             "(or holds only control or format characters)")


def has_visible_text(text: str) -> bool:
    """True when ``text`` has a character that is neither whitespace nor a control or
    format character (those the tokenizer drops, so nothing would be left to classify).

    >>> has_visible_text("\\x00\\u200b \\n"), has_visible_text("\\x07ok")
    (False, True)
    """
    return any(char.isprintable() and not char.isspace() for char in text)
