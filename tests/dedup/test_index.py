import json
import random
import string

import pytest
from datatrove.data import Document

from mellum_data.dedup import LshIndex, minhash_params
from mellum_data.errors import ConfigError, InputError


def page(rng: random.Random, n: int = 150) -> str:
    return " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(n)
    )


def edit(text: str, rng: random.Random, changes: int = 2) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), changes):
        words[i] = "edited"
    return " ".join(words)


def test_index_survives_save_and_load(tmp_path):
    rng = random.Random(0)
    params = minhash_params("fineweb")
    first = [Document(text=page(rng), id=f"crawl1/{i}") for i in range(20)]
    first.append(Document(text=edit(first[4].text, rng), id="crawl1/mirror"))
    index = LshIndex(params)
    verdicts = dict((d.id, dup) for d, dup in index.dedup(first))
    assert verdicts["crawl1/mirror"] == "crawl1/4"  # deduplicated within the batch
    assert sum(v is None for v in verdicts.values()) == 20 == len(index)
    index.save(str(tmp_path / "idx"))
    meta = json.loads((tmp_path / "idx" / "index.json").read_text())
    assert meta["documents"] == 20 and meta["minhash"]["num_buckets"] == 14

    loaded = LshIndex.load(str(tmp_path / "idx"), params)
    assert len(loaded) == 20 and "crawl1/7" in loaded
    second = [
        Document(text=edit(first[7].text, rng, 3), id="crawl2/a"),
        Document(text=page(rng), id="crawl2/b"),
        Document(text="too short", id="crawl2/c"),
        Document(text=first[0].text, id="crawl1/0"),  # an id seen before
    ]
    assert [(d.id, dup) for d, dup in loaded.dedup(second)] == [
        ("crawl2/a", "crawl1/7"),
        ("crawl2/b", None),
        ("crawl2/c", None),
        ("crawl1/0", "crawl1/0"),
    ]
    assert len(loaded) == 21 and "crawl2/c" not in loaded
    assert loaded.query(first[12].text) == ["crawl1/12"]


def test_index_load_checks(tmp_path):
    LshIndex(minhash_params("fineweb")).save(str(tmp_path / "idx"))
    with pytest.raises(ConfigError, match="built with MinHash"):
        LshIndex.load(str(tmp_path / "idx"), minhash_params("starcoder"))
    (tmp_path / "idx" / "lsh.pickle").write_bytes(b"changed")
    with pytest.raises(InputError, match="checksum differs"):
        LshIndex.load(str(tmp_path / "idx"))
    with pytest.raises(InputError, match="index.json missing"):
        LshIndex.load(str(tmp_path / "nothing"))
