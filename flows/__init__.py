"""Prefect flows: the thin orchestration layer over ``docpipe`` and ``cleaners``."""

import os

# Prefect reads these at import: no telemetry to a network we do not have, and
# room for the first start of the ephemeral API server, which migrates its
# database (seen to take over 20 s on a busy 2-core machine).
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}
for _name, _value in PREFECT_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
