import pytest
from datatrove.data import Document

from mellum_data.filters.license import LicenseFilter, is_permissive
from mellum_data.filters.licenses_data import PERMISSIVE_DEFAULT


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("MIT", True),
        ("Apache-2.0 OR MIT", True),
        ("GPL-3.0 OR MIT", True),  # a dual license is permissive if any branch is
        ("GPL-3.0-only OR (MIT AND BSD-3-Clause)", True),
        ("GPL-3.0 AND MIT", False),
        ("MIT AND (GPL-2.0 OR Apache-2.0)", True),
        ("MPL-2.0", False),  # weak copyleft: not in The Stack v2's permissive set
        ("LGPL-2.1-or-later", False),
        ("Apache-2.0 WITH LLVM-exception", True),
        ("LicenseRef-UNLICENSED", False),
        ("mit", True),
        ("not an expression (", False),
    ],
)
def test_is_permissive(expression, expected):
    assert is_permissive(expression, PERMISSIVE_DEFAULT) is expected


def _doc(license_: str, source: str) -> Document:
    return Document(text="x", id="t", metadata={"license": license_, "license_source": source})


def test_license_filter_reasons():
    f = LicenseFilter()
    assert f.filter(_doc("MIT", "file:LICENSE")) is True
    assert f.filter(_doc("GPL-3.0", "file:COPYING")) == (False, "license_not_permissive")
    assert f.filter(_doc("unknown", "file:LICENSE")) == (False, "license_unknown")
    assert f.filter(_doc("unknown", "none")) == (False, "license_none")


def test_no_license_policy_keep_tags_documents():
    doc = _doc("unknown", "none")
    assert LicenseFilter(no_license="keep").filter(doc) is True
    assert doc.metadata["license_type"] == "no_license"
    kept = _doc("BSD-2-Clause", "package.json")
    assert LicenseFilter().filter(kept) is True
    assert kept.metadata["license_type"] == "permissive"


def test_custom_allow_list():
    assert LicenseFilter(allowed=["MPL-2.0"]).filter(_doc("MPL-2.0", "spdx-header")) is True
    assert LicenseFilter(allowed=["MPL-2.0"]).filter(_doc("MIT", "spdx-header")) == (
        False,
        "license_not_permissive",
    )
