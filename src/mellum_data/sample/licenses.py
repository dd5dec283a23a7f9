"""License files in the wordings projects use, as short paraphrases written for this project.

They are not the license texts. Each keeps only the title and the well-known key phrases a
license detector looks for (the MIT grant sentence, the Apache notice, the GNU titles with
their versions, ...) and says the rest in a few lines of our own.
"""
# ruff: noqa: E501  (license paragraphs are kept as written)

from __future__ import annotations

from mellum_data.sample.templating import fill

MIT = """MIT License

Copyright (c) {{year}} {{owner}}

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and its documentation files (the "Software"), to use it without restriction:
copy, change, merge, publish, distribute, sublicense or sell copies, and let others do
the same, on one condition: keep this copyright notice and this permission notice in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND. The authors are not liable
for any claim, damages or other liability arising from the Software or its use.
"""

ISC = """ISC License

Copyright (c) {{year}}, {{owner}}

Permission to use, copy, modify, and/or distribute this software for any purpose with or
without fee is hereby granted, provided that the above copyright notice and this permission
notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES. In no event is
the author liable for damages of any kind that come from using it.
"""

BSD3 = """BSD 3-Clause License

Copyright (c) {{year}}, {{owner}}
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are
permitted provided that the following conditions are met:

1. Source redistributions keep the copyright notice above, this list of conditions and
   the disclaimer below.
2. Binary redistributions reproduce the same notice, conditions and disclaimer in their
   documentation or other materials.
3. Neither the name of the copyright holder nor the names of its contributors may be used
   to endorse or promote products derived from this software without specific prior
   written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"; no warranty
of any kind is given, and the holders are not liable for any damages arising from its use.
"""

APACHE = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   In short: each contributor grants you a perpetual, worldwide, royalty-free copyright
   license and patent license to use, reproduce, modify and distribute the Work. When you
   redistribute it you give recipients a copy of this License, mark files you changed,
   keep the copyright, patent and attribution notices, and pass on any NOTICE file. A
   patent suit over the Work ends the patent license of the one who brings it. The Work
   comes without warranties, and contributors are not liable for damages.

   END OF TERMS AND CONDITIONS

   Copyright {{year}} {{owner}}

   Licensed under the Apache License, Version 2.0 (the "License");
   you may not use this file except in compliance with the License.
   You may obtain a copy of the License at

       http://www.apache.org/licenses/LICENSE-2.0

   Software distributed under the License is distributed on an "AS IS" BASIS,
   WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
"""

MPL2 = """Mozilla Public License Version 2.0
==================================

A summary in our own words; the license itself is at https://mozilla.org/MPL/2.0/.

1. Each contributor grants you a worldwide, royalty-free license to use, modify and
   distribute their contributions, including under their patent claims.
2. The license works file by file: if you distribute a Covered Software file, its source
   stays available under this License, while your own separate files may carry any terms.
3. A Larger Work may combine Covered Software with other code, and the GNU licenses are
   named as compatible Secondary Licenses unless a file says otherwise.
4. Covered Software is provided "as is", without warranty.

Exhibit A - Source Code Form License Notice

  This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.
  If a copy of the MPL was not distributed with this file, You can obtain one at
  http://mozilla.org/MPL/2.0/.

Copyright (c) {{year}} {{owner}}
"""

GPL3 = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>

                             In brief

  This is a copyleft license: you may run, study, share and change the program, and
  everyone who receives a copy, changed or not, receives these same freedoms. If you
  distribute the program or a work based on it, you must offer the corresponding source
  code under this same license, keep the notices intact, and not add restrictions of
  your own. There is no warranty, to the extent the law allows.

                     How to apply it to your program

    {{project}} - {{description}}
    Copyright (C) {{year}}  {{owner}}

    This program is free software: you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.

    This program is distributed in the hope that it will be useful,
    but WITHOUT ANY WARRANTY; without even the implied warranty of
    MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
"""

LGPL3 = """                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>

  This version of the GNU Lesser General Public License incorporates the terms of
  version 3 of the GNU General Public License, with additional permissions: a program
  that only uses the Library through its interfaces (an "Application") may be distributed
  under terms of your choice, provided that users can replace the Library with a modified
  version. Changes to the Library itself stay under this license.

    {{project}} - {{description}}
    Copyright (C) {{year}}  {{owner}}

    This library is free software: you can redistribute it and/or modify it under the
    terms of the GNU Lesser General Public License as published by the Free Software
    Foundation, either version 3 of the License, or (at your option) any later version.
"""

AGPL3 = """                    GNU AFFERO GENERAL PUBLIC LICENSE
                       Version 3, 19 November 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>

  The Affero license is a copyleft license built for software that runs on servers.
  Besides the conditions of a copyleft license, it adds one: if you modify the program
  and let users interact with it remotely through a computer network, you must offer
  those users the corresponding source code of your version.

    {{project}} - {{description}}
    Copyright (C) {{year}}  {{owner}}

    This program is free software: you can redistribute it and/or modify
    it under the terms of the GNU Affero General Public License as published
    by the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.
"""

TEXTS = {
    "MIT": MIT,
    "ISC": ISC,
    "BSD-3-Clause": BSD3,
    "Apache-2.0": APACHE,
    "MPL-2.0": MPL2,
    "GPL-3.0": GPL3,
    "LGPL-3.0": LGPL3,
    "AGPL-3.0": AGPL3,
}

# One-line notices for the top of source files, as projects under these licenses write them.
HEADERS = {
    "Apache-2.0": "Copyright {{year}} {{owner}}\nSPDX-License-Identifier: Apache-2.0",
    "MPL-2.0": "This Source Code Form is subject to the terms of the Mozilla Public\nLicense, v. 2.0. If a copy of the MPL was not distributed with this\nfile, You can obtain one at http://mozilla.org/MPL/2.0/.",
    "BSD-3-Clause": "SPDX-License-Identifier: BSD-3-Clause\nCopyright (c) {{year}} {{owner}}",
}


def license_text(spdx: str, *, year: int, owner: str, project: str, description: str) -> str:
    return fill(
        TEXTS[spdx],
        {"year": str(year), "owner": owner, "project": project, "description": description},
    )


def source_header(spdx: str | None, *, year: int, owner: str, comment: str) -> str:
    """The license notice as a comment block (``comment`` is "//", "#" or "/*"), or ""."""
    if spdx not in HEADERS:
        return ""
    lines = fill(HEADERS[spdx], {"year": str(year), "owner": owner}).splitlines()
    if comment == "/*":
        return "/*\n" + "".join(f" * {line}\n" for line in lines) + " */\n"
    return "".join(f"{comment} {line}\n" for line in lines)
