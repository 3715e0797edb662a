#!/usr/bin/env python3
"""A hostile city site on loopback, for bench/hostile.sh (not a test).

Three host names point here (the crawler's --resolve maps them):
  www.feindstadt.de    the city: normal pages linking to every misbehaviour
  formulare.feindstadt.de  robots.txt answers 503 (nothing may be fetched)
  termine.feindstadt.de    robots.txt hangs (never answers)
Misbehaviours on www: a body that drips one byte every 2 s, a server that
never answers, 429 and 503 with Retry-After, connection resets, a 200 MiB
body, a gzip bomb, an endless calendar, a redirect loop, broken HTML.
"""
import gzip, http.server, socketserver, sys, threading, time, io

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8097
BOMB = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
hits = {}
lock = threading.Lock()

PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{t}</title></head>
<body><main><h1>{t}</h1>{b}</main></body></html>"""

def links():
    out = ['<a href="/tropf">Tropf</a>', '<a href="/stumm">Stumm</a>', '<a href="/voll">Voll</a>',
           '<a href="/wartung">Wartung</a>', '<a href="/abbruch">Abbruch</a>', '<a href="/riesig">Riesig</a>',
           '<a href="/bombe">Bombe</a>', '<a href="/schleife-a">Schleife</a>', '<a href="/kaputt">Kaputt</a>',
           '<a href="/kalender?monat=1&jahr=2026">Kalender</a>',
           '<a href="http://formulare.feindstadt.de/wohngeld">Formulare</a>',
           '<a href="http://termine.feindstadt.de/buergeramt">Termine</a>']
    out += [f'<a href="/leistung/{i}">Leistung {i}</a>' for i in range(40)]
    return " ".join(out)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body=b"", ctype="text/html; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in extra: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path
        with lock:
            hits[(host, path)] = hits.get((host, path), 0) + 1
            n = hits[(host, path)]
        if host.startswith("formulare."):
            if path == "/robots.txt": return self.send(503, b"busy")
            return self.send(200, PAGE.format(t="Formular", b="").encode())
        if host.startswith("termine."):
            if path == "/robots.txt": time.sleep(300); return
            return self.send(200, PAGE.format(t="Termine", b="").encode())
        p = path.split("?")[0]
        if p == "/robots.txt": return self.send(200, b"User-agent: *\nDisallow: /intern/\n", "text/plain")
        if p == "/": return self.send(200, PAGE.format(t="Feindstadt", b=links()).encode())
        if p.startswith("/leistung/"):
            return self.send(200, PAGE.format(t="Leistung", b="<p>Wohngeld online beantragen.</p>").encode())
        if p == "/tropf":
            self.send_response(200); self.send_header("Content-Type", "text/html"); self.end_headers()
            try:
                for _ in range(100): self.wfile.write(b"<"); self.wfile.flush(); time.sleep(2)
            except Exception: pass
            return
        if p == "/stumm": time.sleep(300); return
        if p == "/voll": return self.send(429, b"slow down", extra=[("Retry-After", "5")])
        if p == "/wartung": return self.send(503, b"maintenance", extra=[("Retry-After", "3")])
        if p == "/abbruch":
            self.send_response(200); self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000"); self.end_headers()
            self.wfile.write(b"<html><body>halb"); self.connection.close(); return
        if p == "/riesig":
            self.send_response(200); self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(200 * 1024 * 1024)); self.end_headers()
            try:
                chunk = b"a" * 65536
                for _ in range(200 * 16): self.wfile.write(chunk)
            except Exception: pass
            return
        if p == "/bombe": return self.send(200, BOMB, extra=[("Content-Encoding", "gzip")])
        if p == "/schleife-a": return self.send(302, extra=[("Location", "/schleife-b")])
        if p == "/schleife-b": return self.send(302, extra=[("Location", "/schleife-a")])
        if p == "/kaputt": return self.send(200, b"<html><<body><div <p>B\xfcrgergeld</a></table>&&&#xFFFFFF;<form")
        if p == "/kalender":
            import urllib.parse
            q = urllib.parse.parse_qs(path.split("?", 1)[1] if "?" in path else "")
            m = int(q.get("monat", ["1"])[0]); j = int(q.get("jahr", ["2026"])[0])
            nxt = f'<a href="/kalender?monat={m % 12 + 1}&jahr={j + (m == 12)}">weiter</a>'
            return self.send(200, PAGE.format(t="Kalender", b=nxt).encode())
        return self.send(404, b"not found")

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

S(("127.0.0.1", PORT), H).serve_forever()
