"""WeasyPrint imported with its C libraries found from one `ldconfig -p`: the same libraries, no linker runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from exporter.output import libraries

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is for Linux only")

# WeasyPrint 70's names for its libraries (weasyprint.text.ffi), the ones found and the ones not
NAMES = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0", "pango-1.0", "harfbuzz",
         "harfbuzz-subset", "libharfbuzz-vector-0", "harfbuzz-vector", "fontconfig-1", "fontconfig",
         "pangoft2-1.0", "c", "m", "no-such-library-here"]

PROBE = """
import json, re, subprocess, sys
spawned = []
original = subprocess.Popen.__init__
def counting(self, args, *rest, **kwargs):
    spawned.append(args[0] if isinstance(args, (list, tuple)) else args)
    original(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = counting
if sys.argv[1] == "quick":
    from exporter.output.libraries import import_weasyprint
    import_weasyprint()
elif sys.argv[1] == "failing":
    import contextlib
    from exporter.output import libraries
    @contextlib.contextmanager
    def failing():
        raise OSError("cannot load library")
        yield
    libraries.ldconfig_lookups = failing
    libraries.import_weasyprint()
else:
    import weasyprint
import weasyprint.text.ffi as ffi
maps = sorted(set(re.findall(r"(/\\S+\\.so[.\\d]*)", open("/proc/self/maps").read())))
print(json.dumps({"maps": maps, "spawned": spawned, "vector": ffi.harfbuzz_vector is None}))
"""


def probe(mode: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True, check=True)
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def test_names_are_found_as_cpython_finds_them_in_the_loader_cache() -> None:
    import ctypes.util

    listing = libraries._listing()
    assert listing is not None
    found = {name: libraries.soname(name, listing) for name in NAMES}
    assert found == {name: ctypes.util._findSoname_ldconfig(name) for name in NAMES}  # type: ignore[attr-defined]
    assert found["pango-1.0"] == "libpango-1.0.so.0" and found["libpango-1.0-0"] is None


@pytest.mark.slow
def test_weasyprint_loads_the_same_libraries_without_running_the_linker() -> None:
    quick, plain = probe("quick"), probe("plain")
    assert quick["maps"] == plain["maps"]
    assert any("libpango-1.0.so" in path for path in quick["maps"])
    assert quick["vector"] == plain["vector"]
    assert quick["spawned"] == ["/sbin/ldconfig"]
    assert len(plain["spawned"]) > 5  # WeasyPrint's own lookup: an ldconfig (and compiler) run per name


@pytest.mark.slow
def test_a_failed_import_is_done_again_with_the_full_lookup() -> None:
    failing = probe("failing")
    assert any("libpango-1.0.so" in path for path in failing["maps"])
