"""Turn Markdown study notes into Anki decks and printable revision sheets."""

__version__ = "0.1.0"
