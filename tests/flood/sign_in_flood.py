"""Sign-in flood (issue 16): 300 concurrent wrong sign-ins against a running server.

Passes when the server's resident memory (VmHWM, its peak, from /proc) stays under 150 MB,
/healthz keeps answering throughout, every refusal is 422, 429 or 503 (the last two with
Retry-After), and afterwards the right password from an address that signed in before still
signs in, and every /healthz answer comes within 50 ms.
Standard library only: raw HTTP/1.1 over asyncio, from several loopback addresses (127.0.0.x)
that stand for several machines.

    python3 sign_in_flood.py HOST:PORT SERVER_PID EMAIL PASSWORD
"""

import asyncio
import http.client
import multiprocessing
import os
import sys
import time

FLOOD = 300
SOURCES = 30  # machines the flood comes from: 10 guesses each, within each one's own limit
RSS_LIMIT_KB = 150 * 1024
HEALTHZ_LIMIT_S = 0.050


def memory_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


def watch_healthz(host, port, stop, results):
    """Asks /healthz every 20 ms until `stop`; reports every answer's time, sorted, and any
    status other than 200."""
    times, bad = [], []
    while not stop.is_set():
        t = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
        times.append(time.perf_counter() - t)
        if status != 200:
            bad.append(status)
        time.sleep(0.02)
    results.put((sorted(times), bad))


async def request(host, port, method, path, body=b"", source="127.0.0.1", headers=()):
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
            f"Content-Length: {len(body)}", *headers]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    status = int(status_line.split()[1])
    lines = rest.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines)}
    return status, hdrs


def sign_in_form(email, password):
    # The sign-in form checks that its CSRF field and cookie agree.
    from urllib.parse import urlencode
    body = urlencode({"csrf": "flood", "email": email, "password": password}).encode()
    return body, ("Content-Type: application/x-www-form-urlencoded", "Cookie: tl_login=flood")


async def sign_in(host, port, email, password, source):
    body, headers = sign_in_form(email, password)
    return await request(host, port, "POST", "/login", body, source, headers)


async def main():
    host, port = sys.argv[1].rsplit(":", 1)
    port = int(port)
    pid, email, password = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    home = "127.0.0.1"

    status, _ = await sign_in(host, port, email, password, home)
    assert status == 303, f"the first sign-in from home answered {status}"
    before = memory_kb(pid, "VmRSS")

    # /healthz is timed from a process of its own, so that this one's busy event loop does not
    # count as the server's slowness.
    stop = multiprocessing.Event()
    results = multiprocessing.Queue()
    watcher = multiprocessing.Process(target=watch_healthz, args=(host, port, stop, results))
    watcher.start()
    # The flood stands for other machines: on this one it must not take the cores the server
    # and the watcher need, so this process drops to the lowest priority once the watcher runs.
    os.nice(19)
    done = asyncio.Event()
    peak_rss = before

    async def watch_memory():
        nonlocal peak_rss
        while not done.is_set():
            peak_rss = max(peak_rss, memory_kb(pid, "VmRSS"))
            await asyncio.sleep(0.05)

    async def guess(i):
        source = f"127.0.0.{2 + i % SOURCES}"
        # A third aim at the real account, the rest at addresses nobody has.
        target = email if i % 3 == 0 else f"nobody{i}@example.com"
        return await sign_in(host, port, target, f"wrong guess {i}", source)

    memory = asyncio.create_task(watch_memory())
    started = time.perf_counter()
    answers = await asyncio.gather(*(guess(i) for i in range(FLOOD)))
    flood_s = time.perf_counter() - started
    done.set()
    await memory
    stop.set()
    times, bad = results.get(timeout=10)
    samples = len(times)
    slowest = times[-1] if times else 0.0
    p95 = times[min(samples - 1, int(samples * 0.95))] if times else 0.0
    watcher.join()
    assert not bad, f"/healthz answered {bad}"

    counts = {}
    for status, hdrs in answers:
        counts[status] = counts.get(status, 0) + 1
        assert status in (422, 429, 503), f"a guess answered {status}"
        if status in (429, 503):
            assert hdrs.get("retry-after", "").isdigit(), f"{status} without Retry-After"
    await asyncio.sleep(1)
    after = memory_kb(pid, "VmRSS")
    hwm = memory_kb(pid, "VmHWM")

    # The owner, from home, is not locked out by the flood aimed at them from elsewhere.
    status, _ = await sign_in(host, port, email, password, home)
    print(f"flood: {FLOOD} sign-ins from {SOURCES} addresses in {flood_s:.1f} s, answers {dict(sorted(counts.items()))}")
    print(f"memory: VmRSS {before // 1024} MB before, {peak_rss // 1024} MB highest seen, "
          f"{after // 1024} MB after; VmHWM {hwm // 1024} MB (limit {RSS_LIMIT_KB // 1024} MB)")
    print(f"/healthz: {samples} checks during the flood, 95 % within {p95 * 1000:.1f} ms "
          f"(limit {HEALTHZ_LIMIT_S * 1000:.0f} ms), slowest {slowest * 1000:.1f} ms")
    print(f"the right password from home afterwards: {status}")
    failures = []
    if hwm >= RSS_LIMIT_KB:
        failures.append(f"peak memory {hwm // 1024} MB is over {RSS_LIMIT_KB // 1024} MB")
    if slowest >= HEALTHZ_LIMIT_S:
        failures.append(f"the slowest /healthz took {slowest * 1000:.1f} ms, over "
                        f"{HEALTHZ_LIMIT_S * 1000:.0f} ms")
    if samples < 3:
        failures.append(f"only {samples} /healthz checks ran during the flood")
    if status != 303:
        failures.append(f"the owner's sign-in from home answered {status}, not 303")
    if failures:
        sys.exit("sign-in flood FAILED: " + "; ".join(failures))
    print("sign-in flood: passed")


asyncio.run(main())
