# Licence files shaped the way packages ship them: a project licence followed by bundled
# components, heading underlines, pointer files, licences without a keyword. The texts are
# short paraphrases written for these tests around each licence's characteristic phrases.
import pytest

from mellum_data.filters.license_detect import detect_license_text
from mellum_data.pipelines.code_provenance import repo_license

MIT_BODY = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this\n"
    "software, to deal in it without restriction, subject to keeping this notice.\n"
)
BSD_BODY = (
    "Redistribution and use in source and binary forms, with or without modification,\n"
    "are permitted provided that the notice is kept and neither the name of the holder nor\n"
    "its contributors may be used to endorse or promote products derived from this software.\n"
)
APACHE_BODY = "                 Apache License\n           Version 2.0, January 2004\n"
GPL3_BODY = (
    "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n14. ... you have the option of\n"
    "following the terms and conditions either of that numbered version or of any later one.\n"
)

BUNDLED = f"""The MIT License (MIT)

Copyright (c) 2014 Jane Roe

{MIT_BODY}

====

Portions of this package (vendor/parser.c) come with the following notice:

{BSD_BODY}
----

zlib-ng: 3. Altered source versions must be plainly marked as such, and must not be
misrepresented as being the original software.
"""

UNDERLINED = f"""Apache License
==============

{APACHE_BODY}
---------------------------------------------------------------
Bundled: the MIT License applies to src/vendor/ ({MIT_BODY})
"""

CHOICE_UP_FRONT = f"""This project is dual-licensed: use it under either license, at your option.

----

{MIT_BODY}

----

{APACHE_BODY}
"""

PSF_WITH_HISTORY = """A. HISTORY OF THE SOFTWARE
==========================

Python moved from CNRI to the Python Software Foundation (PSF). Most releases are
GPL-compatible; see the GNU General Public License version 2 for what that means.

B. TERMS AND CONDITIONS
=======================

Examples in the documentation are dual licensed under the PSF License Version 2 and the
Zero-Clause BSD license.

PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
--------------------------------------------

ZERO-CLAUSE BSD LICENSE FOR CODE IN THE PYTHON DOCUMENTATION
------------------------------------------------------------
Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted.
"""

PSF_TEMPLATE = """License agreement for plotkit 2.0
=================================
1. This LICENSE AGREEMENT is between the Plotkit Team ("PKT"), and the Individual or
Organization ("Licensee") accessing and otherwise using plotkit software.
----
Bundled fonts: MIT License.
"""

CNRI_IN_COPYRIGHT_LINE = f"""This module derives from an older one,
copyright (c) 1998-2001 by Some Labs and licensed under CNRI's Python 1.6
license.

All later changes are licensed under the Apache 2.0 License.

{APACHE_BODY}"""

MIT_CMU = """Like its parent, Imgkit is licensed under these terms:

By obtaining, using, and/or copying this software and/or its associated documentation,
you agree to the following terms: Permission to use, copy, modify, and distribute this
software and its documentation for any purpose and without fee is hereby granted,
provided that the notice appears in all copies, and that the name of Imgkit Labs not be
used in advertising or publicity pertaining to distribution of the software.
"""

HPND = MIT_CMU.split("terms: ", 1)[1]
HPND_NO_NAME_CLAUSE = """Permission to use, copy, modify, and distribute this software and its
documentation for any purpose and without fee is hereby granted, provided that the notice
is kept and that both the notice and this permission notice appear in supporting docs."""

BLUE_OAK = """# Purpose

This license gives everyone as much permission to work with this software as possible,
while protecting contributors from liability.

## Copyright

Each contributor licenses you to do everything with this software that would otherwise
infringe that contributor's copyright in it.
"""

ZOPE = f"""A copyright notice accompanies this license document that identifies the copyright
holders.

{BSD_BODY}
4. The right to use this software for any purpose does not give you the right to use
Servicemarks (sm) or Trademarks (tm) of the copyright holders.
"""

NCSA_DUAL = f"""**This software is dual-licensed under the University of Illinois/NCSA Open
Source License (NCSA) and the 3-Clause BSD License**

# NCSA Open Source License
**Copyright (c) 2019 A. Author. All rights reserved.**

{MIT_BODY}
"""

CC0_NOTICE = """# SPLITTER

Written in 2015 by A. Author.

To the extent possible under law, the author has dedicated all copyright
and related and neighboring rights to this software to the public domain
worldwide. See <http://creativecommons.org/publicdomain/zero/1.0/>."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BUNDLED, "MIT"),
        (UNDERLINED, "Apache-2.0"),
        (CHOICE_UP_FRONT, "Apache-2.0 OR MIT"),
        (PSF_WITH_HISTORY, "PSF-2.0"),
        (PSF_TEMPLATE, "PSF-2.0"),
        (CNRI_IN_COPYRIGHT_LINE, "Apache-2.0 AND CNRI-Python"),
        (MIT_CMU, "MIT-CMU"),
        (HPND, "HPND"),
        (HPND_NO_NAME_CLAUSE, "HPND"),
        (BLUE_OAK, "BlueOak-1.0.0"),
        (ZOPE, "ZPL-2.1"),
        (NCSA_DUAL, "BSD-3-Clause OR NCSA"),
        (CC0_NOTICE, "CC0-1.0"),
        # GPL-3's "either of that numbered version" is not a choice with the MIT text.
        (GPL3_BODY + "\n\n" + MIT_BODY, "GPL-3.0 AND MIT"),
    ],
)
def test_licence_file_shapes(text, expected):
    assert detect_license_text(text) == expected


def test_reflowed_markdown_with_project_name():
    text = "## License of *Widgetizer*\n\n> **Copyright © 2024 Widgetizer authors**\n>\n" + (
        "> " + MIT_BODY.replace("\n", "\n>    ").replace("free of charge,", "free of\n> charge,")
    )
    assert detect_license_text(text) == "MIT"


def test_notice_and_third_party_files_are_secondary():
    files = {
        "LICENSE.txt": APACHE_BODY.encode(),
        "NOTICE": b"This product bundles parts under the MIT License and the Mozilla Public "
        b"License 2.0",
        "LICENSE.external": BSD_BODY.encode(),
    }
    assert repo_license(files) == ("Apache-2.0", "file:LICENSE.txt")
    assert repo_license({"NOTICE": MIT_BODY.encode()}) == ("MIT", "file:NOTICE")


def test_per_option_files_and_pointer_files_make_a_choice():
    tri = {
        "LICENSE.rst": b"`tldr` is licensed under the `GPL 2.0 <LICENSE_GPL2.0.txt>`_ or the "
        b"`MPL 1.1 <LICENSE_MPL_1.1.txt>`_, at your option.",
        "LICENSE_GPL2.0.txt": b"GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n",
        "LICENSE_LGPL_2.1.txt": b"GNU LESSER GENERAL PUBLIC LICENSE\nVersion 2.1, Feb 1999\n",
        "LICENSE_MPL_1.1.txt": b"MOZILLA PUBLIC LICENSE\nVersion 1.1\n",
    }
    assert repo_license(tri)[0] == "GPL-2.0 OR LGPL-2.1 OR MPL-1.1"
    pointer = {
        "LICENSE": b"This software is made available under the terms of *either* of the "
        b"licenses found in LICENSE.APACHE or LICENSE.BSD.",
        "LICENSE.APACHE": APACHE_BODY.encode(),
        "LICENSE.BSD": BSD_BODY.replace("neither", "").replace("may be used", "").encode(),
    }
    assert repo_license(pointer) == ("Apache-2.0 OR BSD-2-Clause", "file:LICENSE.APACHE")
    # Without per-option names or a stated choice, several licence files all hold.
    assert repo_license({"LICENSE": MIT_BODY.encode(), "COPYING": GPL3_BODY.encode()})[0] == (
        "GPL-3.0 AND MIT"
    )
