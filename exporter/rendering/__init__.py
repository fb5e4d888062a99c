"""Rendering: each note's Markdown to sanitised HTML once, with math, code and media."""
