"""The LGPD screens' parts: the data dictionary, accesses and data subjects."""
