"""WeasyPrint imported without running the linker a dozen times to find its C libraries.

At import, WeasyPrint opens Pango, GObject, HarfBuzz, fontconfig... by trying a list of names
per library (`weasyprint.text.ffi._dlopen`: the Windows name first, then others). cffi hands
each name it cannot open as it is to `ctypes.util.find_library`, which on Linux reads
`ldconfig -p` and, when the name is not there, runs `gcc` (with `collect2` and `ld`) and
then `ld` to look for it: 22 names, 86 processes (22 `ldconfig`, 16 `gcc` with their
`collect2` and `ld`, 16 more `ld`), about 0.13 s of CPU for every build that writes a PDF
(`import weasyprint` 0.44 s of CPU, children included, against 0.31 s with one `ldconfig`).

`ldconfig_lookups` answers `find_library` from one `ldconfig -p` listing, exactly as
CPython's first step does (`ctypes.util._findSoname_ldconfig`: the same command, the same
pattern), and without the compiler fallbacks, while WeasyPrint loads: a library that the
loader's cache knows is found under the same name as before. One it does not know (a
library only on `LIBRARY_PATH`, say) is still opened by WeasyPrint's later names
(`libpango-1.0.so.0`), which cffi gives to the dynamic loader directly; and should the
import fail all the same, `import_weasyprint` imports it again with the full lookup.
Only on Linux; elsewhere WeasyPrint is imported as it is.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}
"""CPython's `ctypes.util._findSoname_ldconfig` table: the ABI tag `ldconfig -p` prints per machine."""


def _listing() -> bytes | None:
    """`ldconfig -p` as CPython's `find_library` runs it; None when it cannot run."""
    try:
        with subprocess.Popen(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}) as process:
            assert process.stdout is not None
            return process.stdout.read()
    except OSError:
        return None


def soname(name: str, listing: bytes) -> str | None:
    """The library `name` as CPython's `_findSoname_ldconfig` finds it in `listing`."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    pattern = os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), _ABI.get(machine, "libc6")))
    found = re.search(pattern, listing)
    return os.fsdecode(found.group(1)) if found else None


@contextmanager
def ldconfig_lookups() -> Iterator[None]:
    """`ctypes.util.find_library` answered from one `ldconfig -p` listing for the duration (Linux only)."""
    import ctypes.util

    listing = _listing() if sys.platform.startswith("linux") else None
    if listing is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: soname(name, listing)
    try:
        yield
    finally:
        ctypes.util.find_library = original


def import_weasyprint() -> None:
    """Import WeasyPrint, its libraries looked up by `ldconfig_lookups`; failing that, as WeasyPrint does."""
    if "weasyprint" in sys.modules:
        return
    try:
        with ldconfig_lookups():
            import weasyprint  # noqa: F401
    except OSError:
        for module in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[module]
        import weasyprint  # noqa: F401,F811
