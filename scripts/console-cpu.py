#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Measures the web console's live events page under load: the browser's CPU use and the rows it renders.

Starts `tocsin serve` on loopback, logs a headless Chromium (Debian's chromium + chromium-driver, over
WebDriver) into /ui/events, publishes RATE events a second for SECONDS seconds in batches, and reports
Chromium's CPU time (all its processes, from /proc) and the rows the page added, per second.

    scripts/console-cpu.py [--binary .build/release/tocsin] [--rate 1000] [--seconds 30]
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def request(method, url, body=None, headers=None, timeout=60):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "content-type" not in {k.lower() for k in (headers or {})}:
        req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as answer:
        text = answer.read()
        return answer.status, (json.loads(text) if text else None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(what, probe, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit(f"timed out waiting for {what}")


def chromium_ticks(driver_pid):
    """CPU ticks of every chromium process (the driver's descendants)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append((int(entry), int(fields[11]) + int(fields[12])))
            except OSError:
                continue
    total, stack = 0, [driver_pid]
    while stack:
        for pid, ticks in children.get(stack.pop(), []):
            total += ticks
            stack.append(pid)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/tocsin")
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tocsin-console-cpu-")
    server = subprocess.Popen(
        [args.binary, "serve", "--data-dir", data, "--http", "127.0.0.1:0", "--checkpoint-seconds", "3600"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    port = None
    for line in server.stdout:
        found = re.search(r"listening on http://[^:]+:(\d+)", line)
        if found:
            port = int(found.group(1))
            break
    base = f"http://127.0.0.1:{port}"
    key = open(os.path.join(data, "admin.key")).read().strip()
    driver_port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={driver_port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    wd = f"http://127.0.0.1:{driver_port}"
    session = None
    try:
        wait("chromedriver", lambda: request("GET", wd + "/status")[1]["value"]["ready"])
        options = {"binary": "/usr/bin/chromium",
                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"]}
        _, created = request("POST", wd + "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options}}})
        session = f"{wd}/session/{created['value']['sessionId']}"

        def find(selector):
            _, found = request("POST", session + "/elements", {"using": "css selector", "value": selector})
            return [e["element-6066-11e4-a52e-4f735466cecf"] for e in found["value"]]

        def script(text):
            return request("POST", session + "/execute/sync", {"script": text, "args": []})[1]["value"]

        request("POST", session + "/url", {"url": base + "/ui/login"})
        field = wait("the login form", lambda: find("#key"))[0]
        request("POST", f"{session}/element/{field}/value", {"text": key})
        request("POST", f"{session}/element/{find('#login')[0]}/click", {})
        wait("the live stream", lambda: find("#live-status.connected"))
        script("window.added = 0; new MutationObserver(function (changes) { changes.forEach(function (c) {"
               " window.added += c.addedNodes.length; }); }).observe(document.getElementById('event-rows'),"
               " {childList: true});")
        batch = max(1, args.rate // 10)
        headers = {"Authorization": f"Bearer {key}", "content-type": "application/cloudevents-batch+json"}
        start_ticks, start = chromium_ticks(driver.pid), time.monotonic()
        published, tick = 0, start
        while time.monotonic() - start < args.seconds:
            events = [{"specversion": "1.0", "id": f"e{published + i}", "source": "/load", "type": "load.test",
                       "data": {"n": published + i}} for i in range(batch)]
            request("POST", base + "/v1/events", json.dumps(events).encode(), headers)
            published += batch
            tick += 0.1
            time.sleep(max(0, tick - time.monotonic()))
        elapsed = time.monotonic() - start
        cpu = (chromium_ticks(driver.pid) - start_ticks) / TICKS
        added = script("return window.added;")
        kept = script("return document.getElementById('event-rows').rows.length;")
        print(f"published {published} events in {elapsed:.1f} s ({published / elapsed:.0f}/s)")
        print(f"chromium CPU: {cpu:.2f} s over {elapsed:.1f} s = {100 * cpu / elapsed:.1f}% of one core")
        print(f"rows rendered: {added} ({added / elapsed:.1f}/s); rows kept in the DOM: {kept}")
    finally:
        if session:
            request("DELETE", session)  # closes the browser; killing the driver alone leaves it running
        driver.kill()  # chromedriver ignores SIGTERM
        server.terminate()
        driver.wait()
        server.wait()


main()
