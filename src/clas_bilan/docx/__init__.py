"""Everything that touches WordprocessingML below python-docx's public API lives here."""
