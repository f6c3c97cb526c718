"""The Textual user interface. Nothing outside tui/ imports from here."""
