"""newsdesk.device: what the CPU can do, read from Linux's /proc/cpuinfo by one helper that
training's precision, the frozen recipe's embedding dtype and the benchmarks all ask."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from newsdesk import device
from newsdesk.device import cpu_flags, cpu_has_native_bf16, cpuinfo

SAPPHIRE_RAPIDS = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
bugs\t\t: spectre_v1

processor\t: 1
model name\t: another model
flags\t\t: fpu sse2
"""
EPYC_ROME = """processor\t: 0
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse2 avx2 fma
"""


def test_the_first_processors_fields_are_read() -> None:
    fields = cpuinfo(SAPPHIRE_RAPIDS)
    assert fields["model name"] == "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"
    assert fields["bugs"] == "spectre_v1"
    assert {"amx_tile", "avx512_bf16", "avx2"} <= cpu_flags(SAPPHIRE_RAPIDS)
    assert "avx512f" not in cpu_flags(EPYC_ROME) and "avx2" in cpu_flags(EPYC_ROME)


@pytest.mark.parametrize(("flags", "native"), [
    ({"avx2", "avx512f", "avx512_vnni"}, False),  # AVX-512 without BF16: emulated
    ({"avx2", "avx512f", "avx512_bf16"}, True),  # Cooper Lake, Zen 4
    ({"amx_tile", "amx_bf16"}, True),
    (set(), False)])
def test_native_bf16_means_amx_tiles_or_avx512_bf16(flags: set[str], native: bool) -> None:
    assert cpu_has_native_bf16(flags) is native


def fake_cpuinfo(monkeypatch: pytest.MonkeyPatch, path: Path, text: str | None) -> None:
    if text is not None:
        path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(device, "CPUINFO", path)


def test_without_proc_cpuinfo_nothing_is_known_and_float32_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk_train.frozen import embedding_dtype

    fake_cpuinfo(monkeypatch, tmp_path / "absent", None)  # macOS, Windows
    assert cpuinfo() == {} and cpu_flags() == frozenset()
    assert cpu_has_native_bf16() is False and embedding_dtype() == "float32"


def test_training_and_the_frozen_embedding_ask_the_same_helper(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
        ) -> None:
    from newsdesk_train.frozen import embedding_dtype
    from newsdesk_train.trainer_args import precision_flags

    fake_cpuinfo(monkeypatch, tmp_path / "cpuinfo", SAPPHIRE_RAPIDS)
    with caplog.at_level(logging.WARNING):
        assert precision_flags("bf16", "cpu") == {"bf16": True, "fp16": False}
    assert embedding_dtype() == "bfloat16" and "emulated" not in caplog.text
    fake_cpuinfo(monkeypatch, tmp_path / "cpuinfo", EPYC_ROME)
    with caplog.at_level(logging.WARNING):
        assert precision_flags("bf16", "cpu") == {"bf16": True, "fp16": False}
    assert embedding_dtype() == "float32" and "emulated, likely slower" in caplog.text


def test_the_benchmarks_report_the_same_flags(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import benchlib

    fake_cpuinfo(monkeypatch, tmp_path / "cpuinfo", SAPPHIRE_RAPIDS)
    facts = benchlib.cpu_facts()
    assert facts["model"] == "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"
    assert facts["isa"] == ["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile",
                            "amx_int8", "amx_bf16"]
