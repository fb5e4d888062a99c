"""Reading: bytes to notes. Decoding, junk removal, the shared Markdown parser, the readers."""
