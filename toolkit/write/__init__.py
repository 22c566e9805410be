"""Writing: the packet as a Word file and as a PDF (through an HTML page and WeasyPrint)."""
