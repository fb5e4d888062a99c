import os
from pathlib import Path

import pytest

from exporter.output.writers import atomic_output


def test_output_appears_whole_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out" / "deck.apkg"
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"complete")
    assert target.read_bytes() == b"complete"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_failed_write_keeps_the_previous_output_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "deck.apkg"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("crash mid-write")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]
