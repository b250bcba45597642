"""AppTest suite. Importing Streamlit helpers outside a script run (and the harness reading the
cached Database between runs) makes Streamlit warn "missing ScriptRunContext" and "No runtime
found": expected here, so filtered before anything imports streamlit. A filter, not a level:
Streamlit resets its loggers' levels when it reads its config."""

import logging

for _name in ("scriptrunner_utils.script_run_context", "caching.cache_data_api"):
    logging.getLogger(f"streamlit.runtime.{_name}").addFilter(
        lambda record: record.levelno >= logging.ERROR
    )
