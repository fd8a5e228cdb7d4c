"""The portals of ``benchmarks/watch.py``: many hosts' feeds and article pages on 127.0.0.1, in a process
of their own so that the benchmark's CPU is the watcher's alone.

One aiohttp application listens on ``--ports`` ports of 127.0.0.1 (each port is a "host" to the
watcher's client, which keeps one request at a time per origin). It prints one JSON line,
``{"ports": [...]}``, once listening, and serves nothing but ``robots.txt`` and ``/_control/`` until the
benchmark posts its manifest (``/_control/load``): the feeds (a path, a Content-Type and two versions
of the body, files the benchmark wrote) and the article pages (slug → file). Then:

- ``/robots.txt`` on every port: rules for everyone, none that touch the feeds or pages;
- a feed's path: its current version with an ``ETag`` (a digest of the body) and ``Last-Modified``
  (when that version went up); a conditional GET whose validator still holds is answered 304 with
  no body (RFC 9110 §13.1.2 and §13.1.3: ``If-Modified-Since`` counts only without ``If-None-Match``,
  https://www.rfc-editor.org/rfc/rfc9110#section-13.1.3);
- ``/tin-tuc/<slug>.html``: the page, ``text/html; charset=utf-8``.

Control (the benchmark's own session, not counted as portal traffic): ``GET /_control/stats``
(counters and this process's CPU seconds), ``GET /_control/polls?since=&until=`` (when each feed
request arrived, ``time.time()``, and its status), ``POST /_control/publish`` (every feed switches to
its second version at once; returns the moment).

The process ends when its stdin closes (the benchmark exited, however it exited) or on SIGTERM;
Ctrl-C in the terminal is left to the benchmark, which stops this process itself.

Not meant to be run by hand; see ``watch.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import hashlib
import json
import resource
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: /tim-kiem\n"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Feed:
    content_type: str
    versions: list[bytes]
    current: int = 0
    etag: str = ""
    last_modified: str = ""
    modified_at: float = 0.0

    def put_up(self, version: int, now: float) -> None:
        self.current = version
        self.etag = '"' + hashlib.sha256(self.versions[version]).hexdigest()[:20] + '"'
        self.modified_at = float(int(now))  # an HTTP-date has whole seconds
        self.last_modified = email.utils.formatdate(self.modified_at, usegmt=True)

    def still_valid(self, request: web.Request) -> bool:
        """Whether the request's validator matches the current version (then: 304)."""
        tags = request.headers.get("If-None-Match")
        if tags is not None:
            return tags.strip() == "*" or self.etag in (t.strip().removeprefix("W/") for t in tags.split(","))
        since = request.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return self.modified_at <= when


@dataclass
class Portals:
    feeds: dict[str, Feed] = field(default_factory=dict)
    pages: dict[str, Path] = field(default_factory=dict)
    cache: dict[str, bytes] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    log: list[tuple[float, int]] = field(default_factory=list)  # (arrival, status) of feed requests

    async def robots(self, _: web.Request) -> web.StreamResponse:
        self.counts["robots"] += 1
        return web.Response(text=ROBOTS)

    async def page(self, request: web.Request) -> web.StreamResponse:
        slug = request.match_info["slug"]
        path = self.pages.get(slug)
        if path is None:
            self.counts["not_found"] += 1
            raise web.HTTPNotFound()
        body = self.cache.get(slug)
        if body is None:
            body = self.cache[slug] = path.read_bytes()
        self.counts["pages"] += 1
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

    async def feed(self, request: web.Request) -> web.StreamResponse:
        now = time.time()
        feed = self.feeds.get(request.path)
        if feed is None:
            self.counts["not_found"] += 1
            raise web.HTTPNotFound()
        self.counts["feed_requests"] += 1
        conditional = "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
        self.counts["conditional"] += conditional
        headers = {"ETag": feed.etag, "Last-Modified": feed.last_modified}
        if conditional and feed.still_valid(request):
            self.counts["not_modified"] += 1
            self.log.append((now, 304))
            return web.Response(status=304, headers=headers)
        self.counts["feed_200"] += 1
        self.log.append((now, 200))
        headers["Content-Type"] = feed.content_type
        return web.Response(body=feed.versions[feed.current], headers=headers)

    async def load(self, request: web.Request) -> web.StreamResponse:
        manifest = json.loads(Path((await request.json())["manifest"]).read_text(encoding="utf-8"))
        now = time.time()
        for spec in manifest["feeds"]:
            feed = Feed(spec["content_type"], [Path(p).read_bytes() for p in spec["versions"]])
            feed.put_up(0, now)
            self.feeds[spec["path"]] = feed
        self.pages = {slug: Path(p) for slug, p in manifest["pages"].items()}
        return web.json_response({"feeds": len(self.feeds), "pages": len(self.pages)})

    async def publish(self, _: web.Request) -> web.StreamResponse:
        now = time.time()
        for feed in self.feeds.values():
            feed.put_up(len(feed.versions) - 1, now)
        return web.json_response({"at": now})

    async def stats(self, _: web.Request) -> web.StreamResponse:
        return web.json_response({"counts": dict(self.counts), "cpu": cpu_seconds(), "now": time.time()})

    async def polls(self, request: web.Request) -> web.StreamResponse:
        since = float(request.query.get("since", "0"))
        until = float(request.query.get("until", "inf"))
        return web.json_response([[t, s] for t, s in self.log if since <= t < until])


async def serve(ports: int) -> None:
    portals = Portals()
    app = web.Application()
    app.router.add_get("/robots.txt", portals.robots)
    app.router.add_get("/_control/stats", portals.stats)
    app.router.add_get("/_control/polls", portals.polls)
    app.router.add_post("/_control/load", portals.load)
    app.router.add_post("/_control/publish", portals.publish)
    app.router.add_get("/tin-tuc/{slug}.html", portals.page)
    app.router.add_get("/{path:.*}", portals.feed)  # every other path: a feed, or 404
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        for _ in range(ports):
            await web.TCPSite(runner, "127.0.0.1", 0).start()
        print(json.dumps({"ports": [address[1] for address in runner.addresses]}), flush=True)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        # stdin closes when the benchmark exits, even if it was killed: never left running.
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        eof = asyncio.create_task(reader.read())
        await asyncio.wait([eof, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ports", type=int, default=20, help="ports (hosts) to listen on, all on 127.0.0.1")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the benchmark's; it stops us
    asyncio.run(serve(args.ports))


if __name__ == "__main__":
    main()
