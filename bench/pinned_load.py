"""`python -m bench.pinned_load --route r3 --first 100 -- URL --sessions 100 …`: the shared
st_load.py driver, pinned to one app server behind nginx, so its figures are that server's.

Every websocket carries nginx's route cookie (`--route`, a value nginx hashes to the server:
deploy.cluster.Balancer.route_to), and session i logs in as the user `--user` names for
`--first` + i, so two pinned drivers can share one user pattern without sharing users. The
rest of the arguments are st_load's own.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ST_LOAD = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "st_load.py"


def _st_load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("st_load", ST_LOAD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--route", required=True, help="valor do cookie cc_route")
    parser.add_argument("--first", type=int, default=0, help="índice do primeiro usuário")
    parser.add_argument("--user", required=True, help="e.g. op{i:03d}")
    ours, rest = parser.parse_known_args()
    st_load = _st_load()
    connect = st_load.websockets.connect
    st_load.websockets.connect = functools.partial(
        connect, additional_headers={"Cookie": f"cc_route={ours.route}"}
    )
    login = st_load.Session.login

    async def login_as_offset(self: Any, user: str, password: str) -> None:
        await login(self, ours.user.format(i=ours.first + int(user)), password)

    st_load.Session.login = login_as_offset
    # st_load formats --user with the session's index: pass the bare index through.
    sys.argv = [str(ST_LOAD), *(arg for arg in rest if arg != "--"), "--user", "{i}"]
    asyncio.run(st_load.main())


if __name__ == "__main__":
    main()
