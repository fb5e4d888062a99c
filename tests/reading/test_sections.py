"""The sections fallback: lessons and workshop pages made into notes by their structure."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.read import read_notes
from exporter.reading.source import ReadOptions, SourceFile
from tests.reading.support import read_file, without_lines

FIXTURES = Path(__file__).parent / "fixtures" / "sections"
ROOT = Path(__file__).parents[2]
LESSON = "sources/lesson-transfer-learning.md"
WORKSHOP = "sources/workshop-phase2-performance.md"


def read(name: str, deck: str | None = None) -> list[Note]:
    notes, findings = read_file(FIXTURES / name, name, deck=deck)
    assert [d for d in findings if d.code != "unused"] == []
    return without_lines(notes)


def note(kind: NoteKind, deck: str, question: str, answer: str, path: str, line: int, context: str,
         section: str, tag: str) -> Note:
    return Note(deck=deck, kind=kind, question=question, answer=answer, source=SourceLocation(path, line),
                tags=(tag,) if tag else (), context=context, section=section)


def real(path: str) -> list[Note]:
    return without_lines(read_file(ROOT / path, path)[0])


def test_every_heading_with_its_own_content_is_a_note_with_its_trail_as_context() -> None:
    s, path = NoteKind.SECTION, "sections.md"
    assert read(path) == [
        note(s, "Atelier de test", "Atelier de test (1h30)", "Une introduction courte.", path, 1, "", "", ""),
        note(s, "Atelier de test", "Partie A (15 min)", "**Objectif** : comprendre A.", path, 5,
             "Atelier de test", "Partie A", "partie-a"),
        note(s, "Atelier de test", "Détail A1", "Le contenu de A1.\n\n- un point\n- un autre", path, 9,
             "Atelier de test > Partie A", "Partie A", "partie-a"),
        note(s, "Atelier de test", "Détail B1", "Le contenu de B1.", path, 18,
             "Atelier de test > Partie B", "Partie B", "partie-b"),
    ]


def test_link_only_headings_give_nothing_and_their_text_continues_the_previous_section() -> None:
    s, path = NoteKind.SECTION, "link-only-heading.md"
    assert read(path) == [
        note(s, "Leçon", "Leçon", "Une question se pose : comment faire ?\n\nCette approche s'appelle **le transfert**.",
             path, 1, "", "", ""),
        note(s, "Leçon", "Conclusion", "Tout va bien.", path, 9, "Leçon", "Conclusion", "conclusion"),
    ]


def test_sections_of_links_and_navigation_give_nothing() -> None:
    path = "link-only-content.md"
    assert read(path) == [
        note(NoteKind.SECTION, "Leçon", "Suite", "Le texte utile.", path, 10, "Leçon", "Suite", "suite"),
    ]


def test_each_table_row_is_a_note_under_its_header_labels() -> None:
    r, path = NoteKind.TABLE_ROW, "table-rows.md"
    context = "Erreurs > Les erreurs courantes"
    assert read(path) == [
        note(r, "Erreurs", "Surapprentissage",
             "**Symptômes** : Bon en train, mauvais en test\n\n**Impact** : Mauvaise généralisation",
             path, 9, context, "Les erreurs courantes", "les-erreurs-courantes"),
        note(r, "Erreurs", "Fuite de données", "**Symptômes** : Performances irréalistes",
             path, 10, context, "Les erreurs courantes", "les-erreurs-courantes"),
    ]


def test_a_table_of_images_is_a_figure_kept_in_the_section() -> None:
    path = "figure-table.md"
    assert read(path) == [
        note(NoteKind.SECTION, "Images", "Chat idéal",
             "Voici deux images :\n\n![Chat](img/cat.png) | ![Zèbre](img/zebra.png)\n-----|-----\n"
             "*Chat idéal* | *Zèbre idéal*", path, 3, "Images", "Chat idéal", "chat-ideal"),
    ]


def test_a_task_list_is_a_checklist_note() -> None:
    path = "task-checklist.md"
    assert read(path) == [
        note(NoteKind.CHECKLIST, "Projet", "Avant de rendre", "- [ ] Relire le code\n- [x] Lancer les tests",
             path, 3, "Projet > Avant de rendre", "Avant de rendre", "avant-de-rendre"),
    ]


def test_a_checklist_heading_gives_one_note_per_labelled_group() -> None:
    c, path = NoteKind.CHECKLIST, "checklist-groups.md"
    context = "Bonnes pratiques > Production > Checklist d'optimisation"
    assert read(path) == [
        note(c, "Bonnes pratiques", "Checklist d'optimisation — **Données**",
             "- Normalisation adaptée\n- Augmentation pertinente", path, 7, context, "Production", "production"),
        note(c, "Bonnes pratiques", "Checklist d'optimisation — **Modèle**",
             "- Régularisation appropriée", path, 11, context, "Production", "production"),
    ]


def test_template_placeholders_give_nothing() -> None:
    path = "template-placeholders.md"
    assert read(path) == [
        note(NoteKind.SECTION, "Rapport", "Documentation", "1. Évaluez le modèle.\n2. Créez un rapport :",
             path, 3, "Rapport", "Documentation", "documentation"),
        note(NoteKind.TABLE_ROW, "Rapport", "Taille", "**Avant** : 12 MB\n\n**Après** : 3 MB",
             path, 25, "Rapport > Mesures", "Mesures", "mesures"),
    ]


def test_a_code_fence_is_content_and_its_hash_lines_are_not_headings() -> None:
    path = "code-fence.md"
    assert read(path) == [
        note(NoteKind.SECTION, "Code", "Prétraitement",
             "Supprimer les doublons :\n\n```python\n# drop\ndf.drop_duplicates(inplace=True)\n```",
             path, 3, "Code", "Prétraitement", "pretraitement"),
    ]


def test_bold_only_paragraphs_split_long_instructions() -> None:
    s, path = NoteKind.SECTION, "bold-pseudo-headings.md"
    assert read(path) == [
        note(s, "Atelier", "Partie 1 : Observer (15 min)", "1. Ouvrez le notebook.\n2. Observez les courbes.",
             path, 5, "Atelier > Instructions", "Instructions", "instructions"),
        note(s, "Atelier", "Partie 2 : Corriger", "Appliquez le dropout.", path, 10,
             "Atelier > Instructions", "Instructions", "instructions"),
    ]


def test_a_metadata_comment_gives_nothing() -> None:
    path = "metadata-comment.md"
    assert read(path) == [
        note(NoteKind.SECTION, "Titre", "Section", "Du contenu.", path, 7, "Titre", "Section", "section"),
    ]


def test_without_a_title_the_deck_comes_from_the_file_name_unless_configured() -> None:
    path = "no-title.md"
    expected = note(NoteKind.SECTION, "No Title", "Première partie", "Du contenu.", path, 1, "No Title",
                    "Première partie", "premiere-partie")
    assert read(path) == [expected]
    forced = read(path, deck="Mon deck")
    assert [(n.deck, n.context) for n in forced] == [("Mon deck", "Mon deck")]


def test_a_file_without_headings_gives_nothing_unless_the_sections_reader_is_forced() -> None:
    source = SourceFile("plain-notes.md", Path("plain-notes.md"), "juste du texte\n")
    diagnostics = Diagnostics()
    assert read_notes(source, diagnostics)[0] == []
    forced = SourceFile("plain-notes.md", Path("plain-notes.md"), "juste du texte\n", options=ReadOptions(only="sections"))
    assert without_lines(read_notes(forced, diagnostics)[0]) == [
        note(NoteKind.SECTION, "Plain Notes", "Plain Notes", "juste du texte", "plain-notes.md", 1, "", "", ""),
    ]


def test_a_document_with_nothing_to_learn_gives_no_note_and_no_exception() -> None:
    diagnostics = Diagnostics()
    source = SourceFile("empty.md", Path("empty.md"), "<!-- rien -->\n# Titre\n\n## [Quiz](https://example.org)\n")
    assert read_notes(source, diagnostics)[0] == []
    assert diagnostics.sorted() == []


def test_real_lesson() -> None:
    notes = real(LESSON)
    assert Counter(n.kind for n in notes) == {NoteKind.SECTION: 7}
    assert {n.deck for n in notes} == {"Réseaux pré-entraînés et apprentissage par transfert"}
    assert [n.question for n in notes] == [
        "Réseaux pré-entraînés et apprentissage par transfert",
        "Modèles pré-entraînés comme extracteurs de caractéristiques",
        'Ensemble de données "Chats vs. Chiens"',
        "Visualisation du chat adversarial",
        "Conclusion",
        "🚀 Défi",
        "Révision et auto-apprentissage",
    ]
    intro = notes[0].answer or ""
    assert intro.startswith("L'entraînement des CNN peut prendre beaucoup de temps")
    assert "Cette approche est appelée **apprentissage par transfert**" in intro
    assert "Quiz" not in intro and "CO_OP_TRANSLATOR_METADATA" not in intro
    assert notes[3].answer and notes[3].answer.endswith("*Image originale d'un chien* | *Image d'un chien classée comme un chat*")
    assert notes[4] == note(
        NoteKind.SECTION, "Réseaux pré-entraînés et apprentissage par transfert", "Conclusion",
        "Grâce à l'apprentissage par transfert, vous pouvez rapidement créer un classificateur pour une tâche de "
        "classification d'objets personnalisée et obtenir une grande précision. Vous pouvez constater que les tâches "
        "plus complexes que nous résolvons maintenant nécessitent une puissance de calcul plus élevée et ne peuvent pas "
        "être facilement exécutées sur un CPU. Dans la prochaine unité, nous essayerons d'utiliser une implémentation "
        "plus légère pour entraîner le même modèle en utilisant moins de ressources de calcul, ce qui entraîne une "
        "précision légèrement inférieure.",
        LESSON, 71, "Réseaux pré-entraînés et apprentissage par transfert", "Conclusion", "conclusion",
    )


def test_real_workshop() -> None:
    notes = real(WORKSHOP)
    assert Counter(n.kind for n in notes) == {NoteKind.SECTION: 11, NoteKind.TABLE_ROW: 5, NoteKind.CHECKLIST: 4}
    assert {n.deck for n in notes} == {"Phase 2 : Amélioration des performances"}
    assert not any("[Problème" in (n.answer or "") or "x%" in (n.answer or "") for n in notes)
    row = next(n for n in notes if n.question == "Surapprentissage (overfitting)")
    assert row == note(
        NoteKind.TABLE_ROW, "Phase 2 : Amélioration des performances", "Surapprentissage (overfitting)",
        "**Symptômes** : Bonnes performances sur données d'entraînement, mauvaises sur données de test\n\n"
        "**Impact** : Mauvaise généralisation",
        WORKSHOP, 23,
        "Phase 2 : Amélioration des performances > Introduction à l'optimisation pratique des modèles > "
        "Les erreurs les plus courantes en Deep Learning",
        "Introduction à l'optimisation pratique des modèles", "introduction-a-l-optimisation-pratique-des-modeles",
    )
    checklist = [n for n in notes if n.kind is NoteKind.CHECKLIST]
    assert [n.question for n in checklist] == [
        f"Checklist d'optimisation pour vos futurs projets — **{label}**"
        for label in ("Données", "Modèle", "Entraînement", "Déploiement")
    ]
    assert checklist[3].answer == (
        "- Quantification pour réduire la taille (TFLite, ONNX)\n- Tests sur les plateformes cibles\n"
        "- Monitoring des performances\n- Re-entraînement périodique avec de nouvelles données"
    )
    parts = [n for n in notes if n.question.startswith("Partie ")]
    assert [(n.question, n.source.line) for n in parts] == [
        ("Partie 1 : Reconnaître les signes de surapprentissage (15 min)", 47),
        ("Partie 2 : Détecter les problèmes de données et de prétraitement (15 min)", 65),
        ("Partie 1 : Analyse du modèle existant (10 min)", 92),
        ("Partie 2 : Amélioration des performances (15 min)", 104),
        ("Partie 3 : Tests et documentation (15 min)", 128),
    ]
    assert parts[0].context == (
        "Phase 2 : Amélioration des performances > Atelier : Diagnostiquer les problèmes de performance > Instructions"
    )
    conclusion = notes[-1]
    assert conclusion.question == "Conclusion et transition vers la phase finale (5 min)"
    assert conclusion.answer and conclusion.answer.endswith("en appliquant ces techniques d'optimisation.")
