# License texts here are short paraphrases written for these tests: they carry each
# license's characteristic phrases, not the license texts themselves.
import pytest

from mellum_data.filters.license_detect import (
    detect_license_text,
    license_from_header,
    license_from_name,
    normalize_license_text,
    parse_expression,
)
from mellum_data.filters.license_packages import (
    from_cargo_toml,
    from_composer_json,
    from_gemspec,
    from_package_json,
    from_pom_xml,
    from_pyproject,
    from_setup_cfg,
)

MIT = """# The MIT License

Copyright (c) 2021-2024 The GPL Tools Authors

**Permission is hereby granted, free of charge, to any person obtaining a copy**
of this software, to deal in it without restriction; the notice above must ship
with every copy.
"""

# Reflowed into odd lines and indented, with "copyright notice" starting a line.
ISC = """ISC-style terms
   Copyright 2019 Someone

Permission to use, copy, modify, and/or distribute
this software for any purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.
"""

ZERO_BSD = """Permission to use, copy, modify, and/or distribute this software for any purpose
with or without fee is hereby granted. No warranty of any kind."""

BSD3 = """Copyright (c) 2020, Apache Widgets Inc.
Redistribution and use in source and binary forms, with or without modification,
are permitted provided that these conditions hold: keep this text; and neither the
name of the Mozilla Foundation Fans club nor its members may be used to endorse or
promote products derived from this software without written permission."""

BSD2 = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the notice stays with the code."""

APACHE = """
                        Apache License
                  Version 2.0, January 2004
  TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION (paraphrased here)
"""

GPL3 = """GNU GENERAL PUBLIC LICENSE
Version 3, 29 June 2007
... a library may prefer the GNU Lesser General Public License instead ...
13. Use with the GNU Affero General Public License. You may link a covered work with
one licensed under version 3 of the GNU Affero General Public License into one work.
"""

AGPL3 = """GNU AFFERO GENERAL PUBLIC LICENSE
   Version 3, 19 November 2007
13. ... a work licensed under version 3 of the GNU General Public License ..."""

LGPL21 = """GNU LESSER GENERAL PUBLIC LICENSE
Version 2.1, February 1999
This license builds on the GNU General Public License, version 2, for libraries."""

GPL2_NOTICE = """This program is free software; you can redistribute it under the terms of the
GNU General Public License as published by the Free Software Foundation; either version 2
of the License, or (at your option) any later version."""

PSF = """A. HISTORY OF THE SOFTWARE
Most releases are GPL-compatible; see the GNU General Public License version 2 for what that
means (the table lists them).
B. TERMS AND CONDITIONS
PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
1. This LICENSE AGREEMENT is between the Python Software Foundation ("PSF") and you."""

MPL = """Mozilla Public License Version 2.0
1.12. "Secondary License" means either the GNU General Public License, Version 2.0, the GNU
Lesser General Public License, Version 2.1, the GNU Affero General Public License, Version
3.0, or any later versions of those licenses."""

DUAL = """Licensed under either of

 * Apache License, Version 2.0, ([LICENSE-APACHE](LICENSE-APACHE))
 * MIT license ([LICENSE-MIT](LICENSE-MIT))

at your option."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MIT, "MIT"),
        (ISC, "ISC"),
        (ZERO_BSD, "0BSD"),
        (BSD3, "BSD-3-Clause"),
        (BSD2, "BSD-2-Clause"),
        (APACHE, "Apache-2.0"),
        (GPL3, "GPL-3.0"),
        (AGPL3, "AGPL-3.0"),
        (LGPL21, "LGPL-2.1"),
        (GPL2_NOTICE, "GPL-2.0"),
        (PSF, "PSF-2.0"),
        (MPL, "MPL-2.0"),
        (DUAL, "Apache-2.0 OR MIT"),
        ("This is free and unencumbered software released into the public domain.", "Unlicense"),
        ("Creative Commons Legal Code\n\nCC0 1.0 Universal\n", "CC0-1.0"),
        ("Eclipse Public License - v 2.0\nTHE ACCOMPANYING PROGRAM IS PROVIDED ...", "EPL-2.0"),
        ("Boost Software License - Version 1.0 - August 17th, 2003", "BSL-1.0"),
        (
            "The software is provided 'as-is'. 3. Altered source versions must be plainly marked "
            "as such, and must not be misrepresented as being the original software.",
            "Zlib",
        ),
        ("All rights reserved. You may not copy this.", None),
        ("", None),
    ],
)
def test_detect_license_text(text, expected):
    assert detect_license_text(text) == expected


def test_two_full_texts_without_a_choice_are_a_conjunction():
    assert detect_license_text(MIT + "\n\n" + BSD2) == "BSD-2-Clause AND MIT"


def test_normalize_strips_copyright_markdown_and_reflow():
    assert normalize_license_text(
        "## Title\n\nCopyright (c) 2020 X\n[MIT  License](http://x)\n  v2.0."
    ) == ("title mit license v2.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("// SPDX-License-Identifier: MIT\nint x;", "MIT"),
        ("/* SPDX-License-Identifier: GPL-2.0-or-later */\n", "GPL-2.0"),
        (
            "#!/usr/bin/env python\n# SPDX-License-Identifier: apache-2.0 OR mit\n",
            "Apache-2.0 OR MIT",
        ),
        ("<!-- SPDX-License-Identifier: (MIT AND BSD-3-Clause) -->", "(MIT AND BSD-3-Clause)"),
        (
            "// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception",
            "Apache-2.0 WITH LLVM-exception",
        ),
        ("// SPDX-License-Identifier: MIT OR", None),
        ("int x; // no header", None),
    ],
)
def test_license_from_header(text, expected):
    assert license_from_header(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MIT", "MIT"),
        ("Apache License 2.0", "Apache-2.0"),
        ("License :: OSI Approved :: BSD License", "BSD-3-Clause"),
        ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
        ("GPL-3.0+", "GPL-3.0"),
        ("Unlicense", "Unlicense"),
        # npm's UNLICENSED grants nothing: it must not read as the Unlicense.
        ("UNLICENSED", "LicenseRef-UNLICENSED"),
        ("SEE LICENSE IN LICENSE.txt", None),
        ("Some Custom Terms", None),
    ],
)
def test_license_from_name(value, expected):
    assert license_from_name(value) == expected


def test_parse_expression_rejects_malformed():
    assert parse_expression("MIT OR (Apache-2.0") is None
    assert parse_expression("AND MIT") is None
    assert parse_expression("mit or apache-2.0") == ["MIT", "OR", "Apache-2.0"]


def test_package_metadata_parsers():
    assert from_package_json('{"name": "x", "license": "ISC"}') == "ISC"
    assert from_package_json('{"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}') == (
        "Apache-2.0 OR MIT"
    )
    assert from_package_json("{not json") is None
    assert from_pyproject('[project]\nname = "x"\nlicense = "BSD-2-Clause"\n') == "BSD-2-Clause"
    assert from_pyproject('[project]\nlicense = {text = "MIT License"}\n') == "MIT"
    assert (
        from_pyproject(
            '[project]\nclassifiers = ["License :: OSI Approved :: Apache Software License"]\n'
        )
        == "Apache-2.0"
    )
    assert from_pyproject('[tool.poetry]\nlicense = "MPL-2.0"\n') == "MPL-2.0"
    assert from_setup_cfg("[metadata]\nname = x\nlicense = MIT\n") == "MIT"
    assert (
        from_setup_cfg(
            "[metadata]\nclassifiers =\n    License :: OSI Approved :: ISC License (ISCL)\n"
        )
        == "ISC"
    )
    assert (
        from_cargo_toml('[package]\nname = "x"\nlicense = "MIT OR Apache-2.0"\n')
        == "MIT OR Apache-2.0"
    )
    pom = (
        "<project><licenses><license><name>The Apache License, Version 2.0</name>"
        "</license></licenses></project>"
    )
    assert from_pom_xml(pom) == "Apache-2.0"
    assert from_composer_json('{"license": ["GPL-2.0-only", "MIT"]}') == "GPL-2.0 OR MIT"
    assert from_gemspec("Gem::Specification.new do |s|\n  s.license = 'MIT'\nend") == "MIT"
    assert from_gemspec('spec.licenses = ["MIT", "Apache-2.0"]') == "Apache-2.0 AND MIT"
