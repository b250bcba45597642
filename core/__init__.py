"""The Call Center domain. Never imports streamlit: usable from pages, scripts, tests, CLI."""
