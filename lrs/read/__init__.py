"""The read side: statements, documents and report figures, with who may read what."""
