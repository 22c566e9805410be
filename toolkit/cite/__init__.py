"""Citing: bibliographies, CSL styles, and citations rendered by Pandoc's citeproc."""
