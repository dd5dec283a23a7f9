"""What identifies each license: characteristic phrases, titles and free-form names.

Phrases are written in the normalised form that ``license_detect.normalize_license_text``
produces (lowercase words and version numbers, no punctuation); they are short key phrases
chosen for being specific to one license, not the license texts themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

# The GNU family is matched apart from the rest: its texts mention each other (the LGPL
# incorporates the GPL, the GPL points to the AGPL and LGPL), so the first titled mention of
# a GNU license in a text is the one that text is about.
GNU_FAMILY = ("AGPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "GPL-1.0", "GPL-2.0", "GPL-3.0")


@dataclass(frozen=True)
class Rule:
    """A license is present when one alternative of every group occurs and no ``absent`` does."""

    spdx: str
    groups: tuple[tuple[str, ...], ...]
    absent: tuple[str, ...] = ()
    # Licenses whose phrases this text quotes without being under them (see GNU_FAMILY).
    suppresses: tuple[str, ...] = ()


_ISC_GRANT = (
    "permission to use copy modify and or distribute this software for any purpose "
    "with or without fee is hereby granted",
    "permission to use copy modify and distribute this software for any purpose "
    "with or without fee is hereby granted",
)
_ISC_CONDITION = (
    "provided that the above copyright notice and this permission notice appear in all copies"
)
_HPND_GRANT = tuple(
    "permission to use copy modify and distribute this software and its documentation for any "
    f"purpose {fee} is hereby granted"
    for fee in ("and without fee", "without fee", "with or without fee")
)
_NO_ADVERTISING = "not be used in advertising or publicity pertaining to distribution"
_BSD_GRANT = (
    "redistribution and use in source and binary forms with or without modification "
    "are permitted provided that"
)

RULES: tuple[Rule, ...] = (
    # Python's license history section talks about the GPL and CNRI; its documentation
    # examples are also under 0BSD. The file is still the PSF license.
    Rule(
        "PSF-2.0",
        (
            (
                "python software foundation license version 2",
                "psf license agreement",
                "python software foundation psf",
            ),
        ),
        suppresses=(*GNU_FAMILY, "0BSD", "CNRI-Python"),
    ),
    # Licences written on the PSF agreement's template (matplotlib's) are filed as PSF.
    Rule(
        "PSF-2.0",
        (("individual or organization licensee accessing and otherwise using",),),
        absent=("cnri license agreement", "beopen python open source license"),
        suppresses=GNU_FAMILY,
    ),
    Rule(
        "CNRI-Python",
        (("cnri license agreement for python", "cnri s python 1.6 license", "cnri open source"),),
    ),
    Rule(
        "Apache-2.0",
        (
            ("apache license",),
            ("version 2.0", "apache license 2.0", "apache 2.0"),
        ),
    ),
    Rule(
        "MIT",
        (
            (
                "permission is hereby granted free of charge to any person obtaining a copy",
                "mit license",
                "licensed under the mit",
                "expat license",
            ),
        ),
    ),
    Rule("ISC", ((*_ISC_GRANT, "isc license"), (_ISC_CONDITION, "isc license"))),
    Rule("0BSD", ((*_ISC_GRANT, "zero clause bsd", "bsd zero clause"),), absent=(_ISC_CONDITION,)),
    Rule(
        "BSD-4-Clause",
        ((_BSD_GRANT,), ("all advertising materials mentioning features or use of this software",)),
        suppresses=("BSD-3-Clause", "BSD-2-Clause"),
    ),
    Rule(
        "BSD-3-Clause",
        (
            (_BSD_GRANT, "bsd 3 clause", "3 clause bsd", "new bsd license", "modified bsd license"),
            (
                "may be used to endorse or promote products derived from this software",
                "bsd 3 clause",
                "3 clause bsd",
                "new bsd license",
                "modified bsd license",
            ),
        ),
        suppresses=("BSD-2-Clause",),
    ),
    Rule("BSD-2-Clause", ((_BSD_GRANT, "bsd 2 clause", "2 clause bsd", "simplified bsd license"),)),
    # The historical permission notice: "and its documentation ... and without fee", with a
    # no-endorsement clause. The PIL / CMU variant opens with "by obtaining, using ...".
    Rule(
        "MIT-CMU",
        (_HPND_GRANT, (_NO_ADVERTISING,), ("by obtaining using and or copying this software",)),
        suppresses=("HPND",),
    ),
    Rule("HPND", (_HPND_GRANT, (_NO_ADVERTISING, "permission notice appear in supporting"))),
    # The Zope license is a BSD-style grant with its own clauses; it must not read as BSD.
    Rule(
        "ZPL-2.1",
        (
            (
                "zope public license zpl version 2.1",
                "zope public license version 2.1",
                "accompanies this license document that identifies the copyright holders",
                "give you the right to use servicemarks sm or trademarks tm of the copyright",
            ),
        ),
        absent=("zope public license zpl version 2.0", "zope public license version 2.0"),
        suppresses=("BSD-2-Clause", "BSD-3-Clause"),
    ),
    Rule(
        "ZPL-2.0",
        (("zope public license zpl version 2.0", "zope public license version 2.0"),),
        suppresses=("BSD-2-Clause", "BSD-3-Clause"),
    ),
    # Blue Oak names no older license; its purpose and copyright grant sentences identify it.
    Rule(
        "BlueOak-1.0.0",
        (
            (
                "blue oak model license",
                "as much permission to work with this software as possible while protecting "
                "contributors from liability",
                "each contributor licenses you to do everything with this software that would "
                "otherwise infringe",
            ),
        ),
    ),
    Rule("Unlicense", (("free and unencumbered software released into the public domain",),)),
    # CC0's short notice names no licence: "... dedicated all copyright and related and
    # neighboring rights to this software to the public domain worldwide".
    Rule(
        "CC0-1.0",
        (
            (
                "cc0 1.0",
                "cc0 universal",
                "related and neighboring rights to this software to the public domain",
            ),
        ),
    ),
    # NCSA is the MIT grant plus BSD-style conditions.
    Rule(
        "NCSA",
        (("university of illinois ncsa open source license", "ncsa open source license"),),
        suppresses=("MIT",),
    ),
    Rule(
        "Zlib",
        (
            (
                "altered source versions must be plainly marked as such "
                "and must not be misrepresented",
                "zlib license",
            ),
        ),
    ),
    Rule("BSL-1.0", (("boost software license",),)),
    # The MPL and EPL name the GNU licenses as possible "secondary licenses".
    Rule(
        "MPL-2.0",
        (("mozilla public license",), ("version 2.0", "v 2.0", "mpl 2.0")),
        suppresses=GNU_FAMILY,
    ),
    Rule(
        "MPL-1.1",
        (("mozilla public license",), ("version 1.1", "v 1.1")),
        absent=("version 2.0", "v 2.0"),
    ),
    Rule(
        "EPL-2.0",
        (("eclipse public license",), ("v 2.0", "version 2.0", "v2.0", "epl 2.0")),
        suppresses=GNU_FAMILY,
    ),
    Rule(
        "EPL-1.0",
        (("eclipse public license",), ("v 1.0", "version 1.0", "v1.0")),
        absent=("v 2.0", "version 2.0", "v2.0"),
    ),
    Rule("CDDL-1.0", (("common development and distribution license",),)),
    Rule("Artistic-2.0", (("artistic license 2.0",),)),
    Rule("WTFPL", (("do what the fuck you want to public license",),)),
)

# GNU names in normalised text, followed (within a few words) by the version.
GNU_NAMES: dict[str, str] = {
    "gnu affero general public license": "AGPL-3.0",
    "gnu lesser general public license": "LGPL",
    "gnu library general public license": "LGPL",
    "gnu general public license": "GPL",
}

# Words that make several licenses named in one text a choice rather than a conjunction.
CHOICE_PHRASES = ("at your option", "dual licensed", "dual license", "either of", "either license")

# Free-form names seen in package metadata (package.json, pyproject classifiers, pom.xml),
# keyed by their normalised form. SPDX ids are recognised on their own.
NAME_ALIASES: dict[str, str] = {
    "mit": "MIT",
    "mit license": "MIT",
    "the mit license": "MIT",
    "expat": "MIT",
    "apache": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    # "BSD" alone does not say which variant; every BSD variant in our allow-list is
    # permissive, so the guess never changes the filter's decision.
    "bsd": "BSD-3-Clause",
    "bsd license": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "bsd 3 clause": "BSD-3-Clause",
    "simplified bsd": "BSD-2-Clause",
    "bsd 2 clause": "BSD-2-Clause",
    "isc": "ISC",
    "isc license": "ISC",
    "isc license iscl": "ISC",
    "mpl 2.0": "MPL-2.0",
    "mozilla public license 2.0": "MPL-2.0",
    "mozilla public license 2.0 mpl 2.0": "MPL-2.0",
    "gpl": "GPL-3.0",
    "gplv2": "GPL-2.0",
    "gpl v2": "GPL-2.0",
    "gplv3": "GPL-3.0",
    "gpl v3": "GPL-3.0",
    "gnu general public license v2 gplv2": "GPL-2.0",
    "gnu general public license v3 gplv3": "GPL-3.0",
    "gnu general public license gpl": "GPL-3.0",
    "lgpl": "LGPL-3.0",
    "lgplv2": "LGPL-2.1",
    "lgplv3": "LGPL-3.0",
    "gnu lesser general public license v2 or later lgplv2": "LGPL-2.1",
    "gnu lesser general public license v3 lgplv3": "LGPL-3.0",
    "agpl": "AGPL-3.0",
    "agplv3": "AGPL-3.0",
    "gnu affero general public license v3": "AGPL-3.0",
    "python software foundation license": "PSF-2.0",
    "psf": "PSF-2.0",
    "psfl": "PSF-2.0",
    "unlicense": "Unlicense",
    "the unlicense": "Unlicense",
    "the unlicense unlicense": "Unlicense",
    "cc0": "CC0-1.0",
    "zlib": "Zlib",
    "zlib libpng license": "Zlib",
    "boost software license 1.0 bsl 1.0": "BSL-1.0",
    "boost": "BSL-1.0",
    "eclipse public license 2.0": "EPL-2.0",
    "eclipse public license 2.0 epl 2.0": "EPL-2.0",
    "eclipse public license 1.0": "EPL-1.0",
    "zope public license": "ZPL-2.1",
    "zpl 2.1": "ZPL-2.1",
    "blue oak model license": "BlueOak-1.0.0",
    "blue oak model license 1.0.0": "BlueOak-1.0.0",
    "historical permission notice and disclaimer": "HPND",
    "cmu license": "MIT-CMU",
    "mit cmu": "MIT-CMU",
    # npm: "UNLICENSED" means the opposite of the Unlicense: no permission granted.
    "unlicensed": "LicenseRef-UNLICENSED",
    "proprietary": "LicenseRef-Proprietary",
    "other proprietary license": "LicenseRef-Proprietary",
}

# SPDX ids we name, with their canonical spelling (matched case-insensitively). Deprecated
# GNU ids and the -only / -or-later forms are all recognised; see license_detect.canonical_id.
KNOWN_IDS: tuple[str, ...] = (
    "0BSD",
    "AGPL-3.0",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BlueOak-1.0.0",
    "BSL-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CNRI-Python",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "GPL-1.0",
    "GPL-2.0",
    "GPL-3.0",
    "HPND",
    "ISC",
    "LGPL-2.0",
    "LGPL-2.1",
    "LGPL-3.0",
    "MIT",
    "MIT-0",
    "MIT-CMU",
    "MPL-1.1",
    "MPL-2.0",
    "MS-PL",
    "NCSA",
    "PSF-2.0",
    "Python-2.0",
    "Unlicense",
    "UPL-1.0",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.0",
    "ZPL-2.1",
)

# The Stack v2's notion of permissive (Lozhkov et al. 2024, sec. 2: ScanCode's "permissive"
# and public-domain categories). MPL-2.0 and EPL are weak copyleft and stay out.
PERMISSIVE_DEFAULT: tuple[str, ...] = (
    "MIT",
    "MIT-0",
    "X11",
    "Apache-2.0",
    "Apache-1.1",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "0BSD",
    "ISC",
    "Unlicense",
    "CC0-1.0",
    "Zlib",
    "BSL-1.0",
    "PSF-2.0",
    "Python-2.0",
    "NCSA",
    "UPL-1.0",
    "MS-PL",
    "WTFPL",
    "BlueOak-1.0.0",
    "ZPL-2.0",
    "ZPL-2.1",
    "MIT-CMU",
    "HPND",
    "CNRI-Python",
)
