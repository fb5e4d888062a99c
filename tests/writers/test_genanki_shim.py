"""genanki imported with stand-ins for two dependencies (`exporter/output/writers/_genanki_shim.py`)."""

from __future__ import annotations

import subprocess
import sys


def test_genanki_is_imported_without_pyyaml_yet_yaml_note_types_still_work() -> None:
    """The stand-in for PyYAML imports it on first use: a note type given as YAML text still loads."""
    script = (
        "import sys\n"
        "from exporter.output.writers import apkg\n"
        "assert 'yaml' not in sys.modules and 'cached_property' not in sys.modules, sorted(sys.modules)\n"
        "import genanki\n"
        "model = genanki.Model(1, 'x', fields='- name: Front\\n- name: Back',\n"
        "                      templates='- name: C\\n  qfmt: \"{{Front}}\"\\n  afmt: \"{{Back}}\"')\n"
        "assert model.fields == [{'name': 'Front'}, {'name': 'Back'}], model.fields\n"
        "assert model.templates[0]['qfmt'] == '{{Front}}'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
