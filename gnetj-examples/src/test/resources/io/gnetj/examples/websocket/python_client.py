"""Drives the websocket example with Python's websockets library; prints 'ok NAME' per check.

Usage: python3 python_client.py PORT. Exits 1 at the first failure, after printing 'FAIL NAME: why'.
"""
import asyncio
import os
import sys

import websockets

PORT = int(sys.argv[1])
BASE = "ws://127.0.0.1:%d" % PORT


def headers_of(ws):
    # websockets <= 13 (legacy client): response_headers; >= 14: response.headers
    h = getattr(ws, "response_headers", None)
    return h if h is not None else ws.response.headers


def close_code(exc_or_ws):
    rcvd = getattr(exc_or_ws, "rcvd", None)
    if rcvd is not None:
        return rcvd.code
    return getattr(exc_or_ws, "close_code", None) or getattr(exc_or_ws, "code", None)


async def check(name, coro):
    try:
        await asyncio.wait_for(coro, 20)
    except Exception as e:  # report and stop at the first failure
        print("FAIL %s: %r" % (name, e), flush=True)
        sys.exit(1)
    print("ok " + name, flush=True)


async def echo_and_deflate():
    async with websockets.connect(BASE + "/echo") as ws:
        ext = headers_of(ws).get("Sec-WebSocket-Extensions") or ""
        assert "permessage-deflate" in ext, "extensions answered: %r" % ext
        await ws.send("h\u00e9llo \u2713")
        assert await ws.recv() == "h\u00e9llo \u2713"
        await ws.send(bytes(range(256)))
        assert await ws.recv() == bytes(range(256))
        await ws.send("compressible " * 500)
        assert await ws.recv() == "compressible " * 500


async def echo_without_deflate():
    async with websockets.connect(BASE + "/echo", compression=None) as ws:
        assert not headers_of(ws).get("Sec-WebSocket-Extensions")
        await ws.send(b"plain")
        assert await ws.recv() == b"plain"


async def large_message():
    data = os.urandom(900 * 1024)
    async with websockets.connect(BASE + "/echo", max_size=2 ** 21) as ws:
        await ws.send(data)
        assert await ws.recv() == data


async def fragmented():
    async with websockets.connect(BASE + "/echo") as ws:
        await ws.send(["frag", "ment", "\u00e9d"])
        assert await ws.recv() == "fragment\u00e9d"
        await ws.send([b"\x01", b"\x02\x03"])
        assert await ws.recv() == b"\x01\x02\x03"


async def ping():
    async with websockets.connect(BASE + "/echo") as ws:
        waiter = await ws.ping(b"are you there")
        await asyncio.wait_for(waiter, 10)


async def close_code_echoed():
    ws = await websockets.connect(BASE + "/echo")
    await ws.close(4000, "bye")
    assert ws.close_code == 4000, "close code %r" % ws.close_code


async def too_big_gets_1009():
    async with websockets.connect(BASE + "/echo", compression=None) as ws:
        await ws.send(b"x" * (2 * 1024 * 1024))
        try:
            await ws.recv()
        except websockets.exceptions.ConnectionClosed as e:
            assert close_code(e) == 1009, "close code %r" % close_code(e)
            return
        raise AssertionError("no close after a message over the limit")


async def zip_bomb_gets_1009():
    # 64 MiB of zeros compress to about 64 KiB: the server must stop inflating at its 1 MiB limit
    async with websockets.connect(BASE + "/echo", max_size=None) as ws:
        await ws.send(b"\0" * (64 * 1024 * 1024))
        try:
            await ws.recv()
        except websockets.exceptions.ConnectionClosed as e:
            assert close_code(e) == 1009, "close code %r" % close_code(e)
            return
        raise AssertionError("no close after a zip bomb")


async def chat():
    async with websockets.connect(BASE + "/chat") as a, websockets.connect(BASE + "/chat") as b:
        await a.send("hello room")
        assert await b.recv() == "hello room"
        assert await a.recv() == "hello room"


async def main():
    await check("echo-deflate", echo_and_deflate())
    await check("echo-plain", echo_without_deflate())
    await check("large", large_message())
    await check("fragmented", fragmented())
    await check("ping", ping())
    await check("close-code", close_code_echoed())
    await check("too-big-1009", too_big_gets_1009())
    await check("zip-bomb-1009", zip_bomb_gets_1009())
    await check("chat", chat())
    print("done", flush=True)


asyncio.run(main())
