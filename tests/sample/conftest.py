import hashlib
import json
from pathlib import Path

import pytest

from mellum_data.sample import write_sample


def _digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root, keyed by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """The sample at seed 0, scale 1, written once for the whole session (read-only)."""
    out = tmp_path_factory.mktemp("sample") / "out"
    write_sample(str(out), seed=0, scale=1)
    return out


@pytest.fixture(scope="session")
def summary(sample_dir) -> dict:
    return json.loads((sample_dir / "sample.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def digest():
    return _digest
