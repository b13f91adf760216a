"""The record type and its validation: every error names the field that is wrong."""

from __future__ import annotations

import doctest
from importlib import import_module

import pytest

from newsdesk.data.records import Record, record_from_mapping
from newsdesk.errors import DataError


def parse(obj: object) -> Record:
    return record_from_mapping(obj, path="a.jsonl", line=4, default_id="4")


def test_a_full_record_keeps_every_field_and_meta() -> None:
    record = parse({"id": 7, "text": "Body", "title": "Head", "label": ["a", "b"],
                    "target": "claim", "stance": "agree", "summary": "Short", "split": "test"})
    assert record == Record(id="7", text="Body", title="Head", label=("a", "b"),
                            target="claim", stance="agree", summary="Short")
    assert record.meta == {"split": "test"}
    assert record.task_fields() == ("label", "stance", "summary")


def test_to_dict_round_trips() -> None:
    record = parse({"text": "Body", "label": ["a", "b"], "split": "train"})
    assert record.to_dict() == {"id": "4", "text": "Body", "label": ["a", "b"],
                                "split": "train"}
    assert parse(record.to_dict()) == record


def test_missing_values_and_nan_are_absent() -> None:
    record = parse({"text": "Body", "title": None, "summary": float("nan")})
    assert record.title is None and record.summary is None


@pytest.mark.parametrize(("obj", "field", "words"), [
    ({"title": "no text"}, "text", "missing"),
    ({"text": "   "}, "text", "empty"),
    ({"text": 12}, "text", "must be a string"),
    ({"text": "ok", "title": ["x"]}, "title", "must be a string"),
    ({"text": "ok", "label": ""}, "label", "empty"),
    ({"text": "ok", "label": 3}, "label", "string or a list"),
    ({"text": "ok", "label": ["a", 1]}, "label", "string or a list"),
    ({"text": "ok", "stance": "agree"}, "target", "needs a 'target'"),
])
def test_bad_fields_are_named(obj: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(DataError) as caught:
        parse(obj)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"a.jsonl, line 4, field {field!r}: ")
    assert words in str(caught.value)


def test_a_non_object_is_rejected_with_its_type() -> None:
    with pytest.raises(DataError, match=r"^a\.jsonl, line 4: expected an object .* got list"):
        parse(["text"])


def test_error_location_parts_are_optional() -> None:
    assert str(DataError("bad")) == "bad"
    assert str(DataError("bad", path="t.parquet", row=9, field="label")) == \
        "t.parquet, row 9, field 'label': bad"


@pytest.mark.parametrize("module", ["records", "readers", "splits", "bbc", "news_articles",
                                    "headline_stance", "same_subject", "fnc1", "semeval",
                                    "describe", "sources"])
def test_the_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(import_module(f"newsdesk.data.{module}"))
    assert result.failed == 0 and result.attempted > 0
