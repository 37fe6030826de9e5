"""Run the page: uvicorn on one host and port, the browser opened once the workers are warm."""

from __future__ import annotations

import ipaddress
import socket
import sys
import webbrowser
from collections.abc import Callable

import uvicorn

from ..errors import BriefexportError
from .app import LOOPBACK_NAMES, create_app
from .engine import EngineLimits

__all__ = ["is_loopback", "page_url", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def page_url(host: str, port: int) -> str:
    """The address to open: an IPv6 address in brackets, and a wildcard host as 127.0.0.1."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server, calling ``ready`` once its socket accepts connections (the workers are warm by then)."""

    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready()


def serve(host: str = "127.0.0.1", port: int = 8765, *, open_browser: bool = True,
          limits: EngineLimits = EngineLimits(), say: Callable[[str], None] = print) -> None:
    """Serve the page until Ctrl-C; the address is printed (and opened) once the server accepts requests."""
    url = page_url(host, port)
    loopback = is_loopback(host)
    if not loopback:
        print(f"briefexport: warning: serving on {host}: anyone who can reach this machine on port {port} can use the page; "
              "use --host 127.0.0.1 to keep it to this computer", file=sys.stderr)

    def ready() -> None:
        say(f"briefexport: the page is at {url}  (Ctrl-C stops it)")
        if open_browser:
            webbrowser.open(url)

    # A loopback server answers loopback names only, so a page elsewhere cannot reach it by DNS rebinding.
    hosts = tuple(name.strip("[]") for name in (*LOOPBACK_NAMES, host)) if loopback else ("*",)
    config = uvicorn.Config(create_app(limits, allowed_hosts=hosts), host=host, port=port,
                            log_level="warning", access_log=False, lifespan="on")
    server = _AnnouncingServer(config, ready)
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot bind, having logged why
        pass
    except KeyboardInterrupt:  # uvicorn shut down on Ctrl-C, then passes the signal on: the way to stop
        if not server.started:
            raise
    if not server.started:
        raise BriefexportError(f"cannot serve on {host}:{port} (is the port in use, or the address not this machine's? try --port)")
    say("briefexport: stopped")
