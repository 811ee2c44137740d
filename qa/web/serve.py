"""The production server `qa serve` starts: waitress, one process or several sharing one socket.

Why waitress: it reads each request whole (headers and body, bounded) in its event loop before a
thread sees it, so a client that sends half a body and stops holds a connection slot, not a thread,
and is dropped after `request_timeout` seconds of silence. gunicorn's threaded worker reads the body
in the thread and needs a buffering proxy in front for that (its own docs say so); for `gunicorn -w N
'qa:create_app()'` behind nginx, see the README.

Several processes (`--workers N`): the parent binds the socket, then forks N children before anything
loads the encoder (its OpenMP runtime must start in the process that uses it); each child opens the
service and serves the shared socket, and the kernel hands each connection to one of them. The parent
restarts a child that dies and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from typing import Any

from qa.config import Settings

logger = logging.getLogger(__name__)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _waitress_options(settings: Settings) -> dict[str, Any]:
    return {
        "threads": settings.threads,
        "connection_limit": settings.max_connections,
        "channel_timeout": settings.request_timeout,  # a silent client is dropped after this many seconds
        "cleanup_interval": max(1, settings.request_timeout // 3),
        "max_request_body_size": settings.max_upload_bytes,
        "max_request_header_size": 64 * 1024,
        # A response goes out whole once it is complete (up to 1 MiB), not its headers first: waitress's
        # default (1 byte) sent the headers at once, and a process killed before the body followed left
        # a load balancer holding half an answer it can neither finish nor send again elsewhere.
        "send_bytes": 1 << 20,
        "ident": "qa",  # the Server header: no software, no version
        "expose_tracebacks": False,
        "clear_untrusted_proxy_headers": True,
        "asyncore_use_poll": True,  # select() fails past 1,024 open descriptors
    }


def _serve_one(settings: Settings, sock: socket.socket) -> None:
    """One process: open the service, serve the socket until SIGINT or SIGTERM."""
    import waitress

    from qa.web.app import create_app

    app = create_app(settings)
    server = waitress.create_server(app, sockets=[sock], **_waitress_options(settings))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    logger.info("process %d serving on http://%s:%d", os.getpid(), settings.host, sock.getsockname()[1])
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["qa"].close()


def _fork(settings: Settings, sock: socket.socket) -> int:
    pid = os.fork()
    if pid == 0:  # the child serves and never returns into the parent's code
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its children with SIGTERM
        code = 0
        try:
            _serve_one(settings, sock)
        except BaseException:
            logger.exception("server process %d failed", os.getpid())
            code = 1
        finally:
            logging.shutdown()
            os._exit(code)
    return pid


def _supervise(settings: Settings, sock: socket.socket) -> None:
    children = {_fork(settings, sock) for _ in range(settings.workers)}
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        children.discard(pid)
        if not stopping:
            logger.warning("server process %d ended (status %d): starting another", pid, status)
            time.sleep(1.0)  # a child that cannot start must not make this loop spin
            children.add(_fork(settings, sock))


def serve(settings: Settings) -> None:
    """Run the production server in this process until SIGINT or SIGTERM."""
    sock = _listen(settings.host, settings.port)
    logger.info(
        "serving on http://%s:%d with %d process(es) of %d threads (Ctrl-C stops)",
        settings.host,
        sock.getsockname()[1],
        settings.workers,
        settings.threads,
    )
    sys.stderr.flush()
    if settings.workers == 1:
        # Ctrl-C stops it even when it was started where SIGINT is ignored (a background job of a
        # script inherits that, and Python then leaves SIGINT ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _serve_one(settings, sock)
    else:
        _supervise(settings, sock)
    sock.close()
