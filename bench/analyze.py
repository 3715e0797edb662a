#!/usr/bin/env python3
"""Numbers for bench/run.sh: nginx access-log slices, /usr/bin/time -v
files, the tools' own summary lines, and the Markdown results table.

    analyze.py log ACCESS_LOG [FROM [TO]]
        Stats (JSON) for lines FROM..TO-1 (0-based) of an access log written
        with bench/nginx.conf.template's "bench" format.
    analyze.py report WORKDIR --pages N [--site-line TEXT] [--out FILE]
        Reads WORKDIR/results.jsonl (one object per tool run, written by
        run.sh) and WORKDIR/access.log, prints the Markdown report and
        writes it to FILE too.

A "page" is an HTML document: a request path ending in ".html" or "/"
answered 200 or 304. Pages are counted as distinct paths (Scrapy fetches
its start URL twice, for example); requests and responses are all lines.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

LINE = re.compile(
    r'^(?P<addr>\S+) \[(?P<time>[^\]]+)\] "(?P<req>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) '
    r'(?P<body>\d+) (?P<sent>\d+) (?P<rt>\S+) "(?P<inm>(?:[^"\\]|\\.)*)" '
    r'"(?P<ims>(?:[^"\\]|\\.)*)" "(?P<host>(?:[^"\\]|\\.)*)" "(?P<ua>(?:[^"\\]|\\.)*)"$')


def is_html(path):
    return path.endswith(".html") or path.endswith("/")


def log_stats(path, start=0, end=None):
    st = {
        "requests": 0, "status": {}, "body_bytes": 0, "bytes_sent": 0,
        "html_200": 0, "html_304": 0, "pdf_200": 0, "pdf_304": 0,
        "conditional": 0, "unparsed": 0, "hosts": {},
    }
    pages = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i < start:
                continue
            if end is not None and i >= end:
                break
            m = LINE.match(line.rstrip("\n"))
            if not m:
                st["unparsed"] += 1
                continue
            st["requests"] += 1
            status = int(m["status"])
            st["status"][str(status)] = st["status"].get(str(status), 0) + 1
            st["body_bytes"] += int(m["body"])
            st["bytes_sent"] += int(m["sent"])
            st["hosts"][m["host"]] = st["hosts"].get(m["host"], 0) + 1
            if m["inm"] != "-" or m["ims"] != "-":
                st["conditional"] += 1
            parts = m["req"].split(" ")
            target = parts[1] if len(parts) >= 2 else ""
            p = target.split("?", 1)[0].split("#", 1)[0]
            if status in (200, 304):
                if is_html(p):
                    st[f"html_{status}"] += 1
                    pages.add(p)
                elif p.endswith(".pdf"):
                    st[f"pdf_{status}"] += 1
    st["pages"] = len(pages)
    st["s304"] = st["status"].get("304", 0)
    st["s200"] = st["status"].get("200", 0)
    return st


def parse_time_v(path):
    """(wall seconds, max RSS KB, exit status) from /usr/bin/time -v -o."""
    wall = rss = None
    code = 0
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None, None, None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        parts = [float(x) for x in m[1].split(":")]
        wall = 0.0
        for x in parts:
            wall = wall * 60 + x
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        rss = int(m[1])
    m = re.search(r"Exit status: (\d+)", text)
    if m:
        code = int(m[1])
    return wall, rss, code


def self_count(tool, stdout_path, stderr_path):
    """What the tool itself says it did, as (count, text) or (None, None)."""
    def read(p):
        try:
            return open(p, encoding="utf-8", errors="replace").read()
        except (OSError, TypeError):
            return ""
    out, err = read(stdout_path), read(stderr_path)
    if tool.startswith("ozgcheck"):
        m = None
        for m in re.finditer(r"run (\S+) (\w+): (\d+) pages \((\d+) bytes, \d+ answered 304, (\d+) new snapshots\) in ([\d.]+) s", err):
            pass
        if m:
            return int(m[3]), (f"ozgcheck says: {m[2]}, {m[3]} pages, {int(m[4]) / 1e6:.1f} MB received, "
                               f"{m[5]} new snapshots, {m[6]} s")
    elif tool == "wget":
        m = re.search(r"Downloaded: (\d+) files, (\S+)", err)
        if m:
            return int(m[1]), f"wget says: {m[1]} files, {m[2]}"
    elif tool == "Scrapy":
        m = re.search(r"scrapy: (\d+) pages parsed", out)
        if m:
            return int(m[1]), f"Scrapy says: {m[1]} pages parsed"
    elif tool == "spider-rs":
        m = re.search(r"spider-rs: (\d+) pages visited", out)
        if m:
            return int(m[1]), f"spider-rs says: {m[1]} pages visited"
    return None, None


def load_runs(workdir):
    runs = []
    with open(os.path.join(workdir, "results.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    log = os.path.join(workdir, "access.log")
    for r in runs:
        r["log"] = log_stats(log, r["log_from"], r["log_to"])
        twall, rss, code = parse_time_v(r.get("time_file"))
        r["wall"] = r.get("wall") or twall
        r["rss_kb"] = rss
        r["self"], r["self_text"] = self_count(r["tool"], r.get("stdout_file"), r.get("stderr_file"))
        r["pps"] = (r["log"]["pages"] / r["wall"]) if r["wall"] else None
    return runs


def fmt(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, int):
        return f"{x:,}".replace(",", " ")
    return f"{x:,.{nd}f}".replace(",", " ")


def pct(a, b):
    return None if not b else 100.0 * a / b


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        nproc = str(os.cpu_count())
    return nproc, cpu, mem


def report(args):
    runs = load_runs(args.workdir)
    pages_total = args.pages
    lines = []
    w = lines.append
    nproc, cpu, mem = machine()
    w("# ozgcheck crawl benchmark – latest results")
    w("")
    w(f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    w(f"- Machine: `nproc` {nproc}, CPU {cpu}, memory {mem}")
    if args.site_line:
        w(f"- Site: {args.site_line}")
    for extra in args.info or []:
        w(f"- {extra}")
    bad = [f"{r['tool']} {r['phase']} (exit {r['rc']})" for r in runs
           if r["tool"] == "ozgcheck" and r["rc"]]
    if bad:
        w(f"- **Not a valid measurement: ozgcheck run(s) failed: {', '.join(bad)}.**")
    if pages_total != 20000:
        w(f"- Note: a {pages_total}-page site, not the issue's 20,000 pages.")
    w("")
    w("| tool | pages | seconds | pages/s | peak RSS MB | notes |")
    w("|---|---:|---:|---:|---:|---|")

    def row(name, pages, secs, pps, rss_kb, notes):
        w(f"| {name} | {fmt(pages)} | {fmt(secs, 2)} | {fmt(pps, 0)} | "
          f"{fmt(rss_kb / 1024 if rss_kb else None, 0)} | {notes} |")

    def basic_notes(r):
        L = r["log"]
        st = ", ".join(f"{k}: {v}" for k, v in sorted(L["status"].items()))
        n = [f"{fmt(L['pages'])}/{fmt(pages_total)} pages reached",
             f"{fmt(L['requests'])} requests" + (f" ({st})" if st else "")]
        if L["pdf_200"] or L["pdf_304"]:
            n.append(f"{L['pdf_200'] + L['pdf_304']} PDF responses")
        n.append(f"nginx sent {L['body_bytes'] / 1e6:.1f} MB of bodies")
        if r["rc"]:
            n.append(f"**exit code {r['rc']}**")
        if r["self_text"]:
            n.append(r["self_text"])
        return n

    def median_run(phase):
        rs = [r for r in runs if r["tool"] == "ozgcheck" and r["phase"] == phase]
        return sorted(rs, key=lambda r: r["wall"] or 0)[len(rs) // 2] if rs else None

    def walls(phase):
        rs = [r for r in runs if r["tool"] == "ozgcheck" and r["phase"] == phase]
        if len(rs) < 2:
            return []
        return [f"median of {len(rs)} runs (" + ", ".join(f"{r['wall']:.2f}" for r in rs if r["wall"]) + " s)"]

    # The median run of each phase stands for it (its own numbers, whole).
    first = median_run("first")
    again = median_run("recrawl")
    oz_pps = first["pps"] if first else None
    results = {}
    if first:
        row("ozgcheck, first crawl", first["log"]["pages"], first["wall"], first["pps"],
            first["rss_kb"], "; ".join(walls("first") + basic_notes(first)))
    if again:
        L, F = again["log"], first["log"] if first else None
        share = pct(L["s304"], L["requests"])
        share_html = pct(L["html_304"], L["html_200"] + L["html_304"])
        bytes_ratio = pct(L["body_bytes"], F["body_bytes"]) if F else None
        wall_ratio = pct(again["wall"], first["wall"]) if first and again["wall"] else None
        results.update(share=share, bytes_ratio=bytes_ratio, wall_ratio=wall_ratio)
        n = [f"304: {fmt(share)} % of all responses ({fmt(share_html)} % of page responses)",
             f"{fmt(L['conditional'])} conditional requests",
             f"nginx body bytes {fmt(bytes_ratio)} % of the first crawl",
             f"wall time {fmt(wall_ratio)} % of the first crawl"]
        row("ozgcheck, re-crawl (unchanged site, same DB)", L["pages"], again["wall"], again["pps"],
            again["rss_kb"], "; ".join(walls("recrawl") + n + basic_notes(again)))

    peers = {}
    for r in runs:
        if r["phase"] == "peer":
            peers.setdefault(r["tool"], []).append(r)
    for tool, rs in peers.items():
        med = lambda xs: statistics.median(xs) if xs else None  # noqa: E731
        pages = med([r["log"]["pages"] for r in rs])
        secs = med([r["wall"] for r in rs if r["wall"]])
        pps = med([r["pps"] for r in rs if r["pps"]])
        rss = med([r["rss_kb"] for r in rs if r["rss_kb"]])
        results[tool] = pps
        mid = sorted(rs, key=lambda r: r["wall"] or 0)[len(rs) // 2]
        n = [f"median of {len(rs)} run{'s' if len(rs) != 1 else ''} (" + ", ".join(f"{r['wall']:.2f}" for r in rs if r["wall"]) + " s)"]
        n += basic_notes(mid)
        failed = [r["rc"] for r in rs if r["rc"]]
        if failed and tool != "wget":
            n.append(f"**{len(failed)} run(s) exited non-zero: {failed}**")
        row(tool, int(pages) if pages is not None else None, secs, pps, rss, "; ".join(n))

    # Targets from the issue.
    w("")
    w("## Targets")
    w("")
    w("| target | measured | met |")
    w("|---|---|:-:|")

    def target(name, measured, ok):
        w(f"| {name} | {measured} | {'–' if ok is None else ('yes' if ok else '**no**')} |")

    def vs(peer, factor=1.0):
        p = results.get(peer)
        if p is None or oz_pps is None:
            return "not measured", None
        return (f"{fmt(oz_pps, 0)} vs {fmt(p * factor, 0)} pages/s"
                + (f" ({factor:g}× {fmt(p, 0)})" if factor != 1 else "")), oz_pps >= p * factor

    target("ozgcheck pages/s ≥ spider-rs", *vs("spider-rs"))
    target("ozgcheck pages/s ≥ wget", *vs("wget"))
    target("ozgcheck pages/s ≥ 10× Scrapy", *vs("Scrapy", 10.0))
    rss_max = max([r["rss_kb"] for r in runs if r["tool"] == "ozgcheck" and r["rss_kb"]], default=None)
    target("ozgcheck peak RSS < 150 MB", f"{fmt(rss_max / 1024, 0)} MB" if rss_max else "not measured",
           None if rss_max is None else rss_max / 1024 < 150)
    s = results.get("share")
    target("re-crawl: ≥ 95 % of responses are 304", f"{fmt(s)} %" if s is not None else "not measured",
           None if s is None else s >= 95)
    b = results.get("bytes_ratio")
    target("re-crawl: bytes < 10 % of the first crawl", f"{fmt(b)} %" if b is not None else "not measured",
           None if b is None else b < 10)
    x = results.get("wall_ratio")
    target("re-crawl: wall time < half of the first crawl", f"{fmt(x)} %" if x is not None else "not measured",
           None if x is None else x < 50)
    w("")
    w("pages = distinct HTML paths (ending in `.html` or `/`) answered 200 or 304, from nginx's "
      "access log; seconds = wall time of the whole process; peak RSS = `/usr/bin/time -v` "
      "maximum resident set size. See bench/README.md.")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    lg = sub.add_parser("log")
    lg.add_argument("access_log")
    lg.add_argument("start", nargs="?", type=int, default=0)
    lg.add_argument("end", nargs="?", type=int, default=None)
    rp = sub.add_parser("report")
    rp.add_argument("workdir")
    rp.add_argument("--pages", type=int, required=True)
    rp.add_argument("--site-line")
    rp.add_argument("--info", action="append", help="extra header line (repeatable)")
    rp.add_argument("--out")
    args = ap.parse_args()
    if args.cmd == "log":
        json.dump(log_stats(args.access_log, args.start, args.end), sys.stdout, indent=1)
        print()
    else:
        report(args)


if __name__ == "__main__":
    main()
