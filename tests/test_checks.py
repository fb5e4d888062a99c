"""Whole-model checks: only exact duplicates merge; nothing else is dropped."""

from __future__ import annotations

from pathlib import Path

from exporter.build.pipeline import collect

QUIZ = """# Algorithms

## Sorting

**Q:** What is the worst case of quicksort?
**A:** $O(n^2)$

**Q:** What is the worst case of quicksort?
**A:** $O(n^2)$

**Q:** What is the worst case of quicksort?
**A:** $O(n^2)$, with a pivot that is always the smallest item.

## 1. What is a stable sort?

One that keeps equal items in input order.

### Solution

Merge sort.

## 2. What is an in-place sort?

One that needs $O(1)$ extra memory.

### Solution

Heapsort.
"""


def test_only_exact_duplicates_merge_and_a_different_answer_keeps_both(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "algo.md").write_text(QUIZ, encoding="utf-8")
    model = collect([tmp_path / "notes"], tmp_path, use_lock=False)
    assert [(r.note.question, r.note.source.line) for r in model.notes] == [
        ("What is the worst case of quicksort?", 5),
        ("What is the worst case of quicksort?", 11),
        ("What is a stable sort?", 14),
        ("What is an in-place sort?", 22),
    ]
    assert [(d.line, d.message) for d in model.diagnostics.sorted() if d.code == "duplicate"] == [
        (8, "duplicate question, first at notes/algo.md:5 (same answer); built once"),
        (11, "same question as notes/algo.md:5 with a different answer; both kept"),
    ]
    # The two `### Solution` sub-headings are parts of different answers, never compared.
    assert model.notes[2].note.answer.endswith("### Solution\n\nMerge sort.")  # type: ignore[union-attr]
    assert model.notes[3].note.answer.endswith("### Solution\n\nHeapsort.")  # type: ignore[union-attr]


def test_equal_sub_headings_under_different_parents_are_two_cards_without_a_warning(tmp_path: Path) -> None:
    lesson = "# Lesson\n\n## Part A\n\n### Exercise\n\nSort the list.\n\n## Part B\n\n### Exercise\n\nReverse the list.\n"
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "lesson.md").write_text(lesson, encoding="utf-8")
    model = collect([tmp_path / "notes"], tmp_path, use_lock=False)
    assert [(r.note.question, r.note.context, r.note.answer) for r in model.notes] == [
        ("Exercise", "Lesson > Part A", "Sort the list."),
        ("Exercise", "Lesson > Part B", "Reverse the list."),
    ]
    assert [d for d in model.diagnostics.sorted() if d.code == "duplicate"] == []
    assert len({r.note.guid for r in model.notes}) == 2
