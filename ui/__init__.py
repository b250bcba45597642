"""Streamlit-only helpers shared by the pages. Imports core, never the other way round."""
