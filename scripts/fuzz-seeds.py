#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the fuzz targets' seed corpora from the test fixtures and the tests' own examples.

    scripts/fuzz-seeds.py OUTDIR

makes OUTDIR/<target>/ for every target in Fuzz/ (file names are content hashes, so running it
again changes nothing). Nothing it writes is committed: scripts/fuzz.sh runs it into .build-fuzz/.
Each target's input layout is described in its source file and in docs/fuzzing.md.
"""

import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests"
LARGEST_SEED = 64 * 1024

# SourceFormat.allCases order: the FuzzSources selector byte is the index.
FORMATS = [
    "cloudtrail", "vpcflow", "guardduty", "k8s-audit", "gcp-audit", "azure-activity", "azure-signin",
    "azure-audit", "okta", "github-audit", "syslog",
]
# Fixture folders whose files are bodies of one format (azure-entra is split by category below).
SOURCE_FOLDERS = {
    "cloudtrail": "cloudtrail", "vpcflow": "vpcflow", "guardduty": "guardduty", "k8s-audit": "k8s-audit",
    "gcp-audit": "gcp-audit", "azure-activity": "azure-activity", "okta": "okta", "github-audit": "github-audit",
}


def write(out, target, data):
    """Writes one seed, unless it is too large to be a useful starting point."""
    if isinstance(data, str):
        data = data.encode()
    if len(data) > LARGEST_SEED:
        return
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def fixture_files(*parts):
    return sorted(p for p in FIXTURES.glob("*/Fixtures/" + "/".join(parts)) if p.is_file())


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_documents():
    """Every JSON document in the fixtures: whole .json files and each line of .ndjson/.jsonl."""
    for path in fixture_files("**", "*"):
        if path.suffix == ".json":
            yield path.read_bytes()
        elif path.suffix in (".ndjson", ".jsonl"):
            yield from (line for line in path.read_bytes().splitlines() if line.strip())


def conformance(name):
    path = ROOT / "Tests/TocsinCoreTests/Fixtures/cloudevents-conformance/conformance-format-tests/json" / name
    return json.loads(path.read_text())["tests"]


def binary_message(event):
    """An event as a binary-mode HTTP message: ce-* headers, Content-Type, empty line, body."""
    lines = []
    for name, value in event.items():
        if name in ("data", "data_base64"):
            continue
        if name == "datacontenttype":
            lines.append("Content-Type: %s" % value)
        elif value is not None:
            lines.append("ce-%s: %s" % (name, value if isinstance(value, str) else compact(value)))
    body = compact(event["data"]) if "data" in event else ""
    return "\n".join(lines) + "\n\n" + body


def cloudevent_seeds(out):
    events = [case["event"] for case in conformance("valid-events.json") + conformance("invalid-events.json")
              if isinstance(case.get("event"), dict)]
    for case in conformance("valid-batches.json") + conformance("invalid-batches.json"):
        write(out, "cloudevents", b"\x02" + compact(case.get("batch")).encode())
    for path in fixture_files("cloudevents-conformance", "*", "*.json"):
        value = json.loads(path.read_text())
        if isinstance(value, dict) and "specversion" in value:
            events.append(value)
    for event in events:
        write(out, "cloudevents", b"\x01" + compact(event).encode())
        write(out, "cloudevents", b"\x00" + binary_message(event).encode())
    feature = ROOT / "Tests/TocsinCoreTests/Fixtures/cloudevents-conformance/conformance-features"
    for block in re.findall(r'"""\n(.*?)"""', (feature / "http-protocol-binding.feature").read_text(), re.S):
        lines = [line.strip() for line in block.splitlines()]
        if lines and lines[0].startswith("POST"):
            message = "\n".join(lines[1:]).replace("<contentType>", "application/json")
            write(out, "cloudevents", b"\x00" + message.encode())


def pattern_seeds(out):
    cases = [json.loads(line) for line in (FIXTURES / "TocsinRulesTests/Fixtures/event-patterns/cases.jsonl")
             .read_text().splitlines() if line.strip()]

    def text(value):
        return value if isinstance(value, str) else compact(value)

    with_events = [case for case in cases if "event" in case]
    for case in cases:
        event = text(case["event"]) if "event" in case else "{}"
        write(out, "patterns", text(case["pattern"]) + "\n" + event)
    for start in range(0, len(with_events), 4):
        group = with_events[start:start + 4]
        write(out, "patterns", "\n".join(text(case["pattern"]) for case in group) + "\n" + text(group[-1]["event"]))
    for case in cases:
        if isinstance(case["pattern"], dict):
            write(out, "rules-directory", (
                "targets:\n  t: {kind: webhook, url: \"http://127.0.0.1:9/hook\"}\n"
                "rules:\n  r:\n    pattern: %s\n    targets: [{target: t}]\n" % compact(case["pattern"])))


def swift_strings(path):
    """The one-line string literals and the multi-line ones of a Swift test file."""
    source = path.read_text()
    for block in re.findall(r'"""\n(.*?)\n\s*"""', source, re.S):
        indent = min((len(line) - len(line.lstrip()) for line in block.splitlines() if line.strip()), default=0)
        yield "\n".join(line[indent:] for line in block.splitlines())
    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "'": "'", "\\": "\\"}

    def unescape(match):
        escape = match.group(1)
        return chr(int(escape[2:-1], 16)) if escape.startswith("u{") else escapes.get(escape, escape)

    for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', source):
        if "\\(" not in literal:
            yield re.sub(r"\\(u\{[0-9A-Fa-f]+\}|.)", unescape, literal)


def syslog_lines():
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    for name in ("SyslogTests.swift", "MalformedRecordTests.swift", "NormalizationTests.swift"):
        for literal in swift_strings(FIXTURES / "TocsinSourcesTests" / name):
            if re.match(r"<\d+>", literal) or literal.startswith(months):
                yield literal


def source_seeds(out):
    for folder, name in SOURCE_FOLDERS.items():
        selector = bytes([FORMATS.index(name)])
        for path in fixture_files(folder, "*"):
            body = path.read_bytes()
            write(out, "sources", selector + body)
            if path.suffix == ".ndjson":
                write(out, "sources", selector + gzip.compress(body.splitlines()[0], mtime=0))
    for path in fixture_files("azure-entra", "*"):
        for line in path.read_bytes().splitlines():
            category = json.loads(line).get("category", "")
            name = "azure-signin" if category.endswith("SignInLogs") else "azure-audit"
            write(out, "sources", bytes([FORMATS.index(name)]) + line)
    # Bodies with no records, for every format: an empty array or wrapper once crashed the server.
    for name in FORMATS:
        for body in (b"", b"[]", b"{}", b'{"Records": []}', b"\n\n", b"[]\n[]\n"):
            write(out, "sources", bytes([FORMATS.index(name)]) + body)
    lines = list(syslog_lines())
    for line in lines:
        write(out, "syslog", line)
        write(out, "syslog", "%d %s" % (len(line.encode()), line))
        write(out, "sources", bytes([FORMATS.index("syslog")]) + line.encode())
    write(out, "sources", bytes([FORMATS.index("syslog")]) + "\n".join(lines).encode())


def rules_directory_seeds(out):
    texts = [text for text in swift_strings(FIXTURES / "TocsinResponseTests/DefinitionTests.swift")
             if "rules:" in text or "targets:" in text]
    for path in sorted((ROOT / "docs").rglob("*.md")):
        texts += re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S)
    for text in texts:
        write(out, "rules-directory", text)
    write(out, "rules-directory", "\0".join(texts))


def main():
    out = Path(sys.argv[1])
    for document in json_documents():
        write(out, "json", document)
    cloudevent_seeds(out)
    pattern_seeds(out)
    source_seeds(out)
    rules_directory_seeds(out)
    for path in fixture_files("geoip", "*.mmdb"):
        write(out, "geoip", path.read_bytes())
    for target in sorted(p.name for p in out.iterdir()):
        print("%s: %d seeds" % (target, len(list((out / target).iterdir()))))


if __name__ == "__main__":
    main()
