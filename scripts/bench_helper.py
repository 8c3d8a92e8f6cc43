#!/usr/bin/env python3
"""Helper for scripts/bench.sh (python3 standard library only).

Sub-commands:
  freeport                         print a free TCP port on 127.0.0.1
  launch  --url U --log F -- CMD   start CMD (output to F), wait for U/healthz; print "PID MS"
  login   --base U --email E --password P      sign in through the form; print the Cookie value
  discover --base U --cookie C --tenant T --kind desk|admin
                                   print shell assignments of links found on pages
  smtp-sink --port P --out F       a loopback SMTP sink; one JSON line per message
  fire    --urls A,B --n N --tenant T --source IP [--email-prefix X]
                                   N concurrent API submissions split over the URLs; JSON counts
  sink-count --file F --prefix X --n N      check each recipient X<i>@… got exactly one mail
  receipts --db sqlite:PATH|postgres://… --tenant T --file F   every receipt in F is stored
  outbox-pending --db …            number of unsent outbox rows
  proposals-count --db … --tenant T
  table   --in RESULTS.jsonl --title T    print the Markdown table
  stream  --url U --pid P --parallel N     N concurrent downloads of U read to the end while
                                   the server's resident memory (VmRSS of P) is sampled; JSON
"""

import argparse
import asyncio
import concurrent.futures
import email
import html
import email.header
import email.policy
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse

INTAKE_BODY = {
    "kind": "proposal",
    "org_name": "株式会社ベンチ防災",
    "partner_type": "company",
    "corporate_number": None,
    "org_address": "大阪府岸和田市宮本町1番1号",
    "contact_name": "連携 花子",
    "email": "bench@example.co.jp",
    "phone": "072-423-2121",
    "title": "負荷試験の提案",
    "summary": "地域の防災力を高める提案です。",
    "details": "自主防災組織と連携した訓練を行います。",
    "fields": ["disaster"],
    "offers": ["knowhow"],
    "expected_effects": "避難の迅速化",
    "fiscal_burden": "none",
    "fiscal_explanation": "",
    "publication_consent": True,
    "privacy_consent": True,
}


def split_url(url):
    u = urllib.parse.urlsplit(url)
    return u.hostname, u.port or 80


def request(base, method, path, body=None, headers=None, source=None, timeout=30):
    host, port = split_url(base)
    conn = http.client.HTTPConnection(
        host, port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, r.getheaders(), data
    finally:
        conn.close()


def cookies_from(headers):
    out = {}
    for k, v in headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            out[name.strip()] = rest.split(";", 1)[0]
    return out


# ------------------------------------------------------------------------------------------
def cmd_freeport(_a):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_launch(a):
    t0 = time.monotonic()
    log = open(a.log, "ab")
    p = subprocess.Popen(a.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = t0 + a.timeout
    while time.monotonic() < deadline:
        if p.poll() is not None:
            print(f"server exited with {p.returncode}; see {a.log}", file=sys.stderr)
            sys.exit(1)
        try:
            st, _, _ = request(a.url, "GET", "/healthz", timeout=2)
            if st == 200:
                ms = (time.monotonic() - t0) * 1000
                print(f"{p.pid} {ms:.0f}")
                return
        except OSError:
            pass
        time.sleep(0.003)
    print(f"no passing /healthz within {a.timeout}s; see {a.log}", file=sys.stderr)
    print(f"{p.pid} -1")
    sys.exit(1)


def cmd_login(a):
    st, hdrs, body = request(a.base, "GET", "/login")
    if st != 200:
        sys.exit(f"GET /login: {st}")
    jar = cookies_from(hdrs)
    m = re.search(rb'name="_csrf"\s+value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"\s+name="_csrf"', body
    )
    if not m:
        sys.exit("no _csrf field on /login")
    form = urllib.parse.urlencode(
        {"_csrf": m.group(1).decode(), "email": a.email, "password": a.password, "next": ""}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    st, hdrs, body = request(
        a.base,
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    jar2 = cookies_from(hdrs)
    if st not in (302, 303) or "renkei_session" not in jar2:
        sys.exit(f"sign-in as {a.email} failed: HTTP {st}")
    print(f"renkei_session={jar2['renkei_session']}")


def cmd_discover(a):
    h = {"Cookie": a.cookie}
    t = a.tenant
    if a.kind == "desk":
        st, _, body = request(a.base, "GET", f"/t/{t}/desk/proposals?status=all", headers=h)
        if st != 200:
            sys.exit(f"inbox: HTTP {st}")
        m = re.search(rf"/t/{t}/desk/proposals/({t}-\d+-\d+)".encode(), body)
        if not m:
            sys.exit("no proposal in the inbox")
        print(f"RECEIPT={m.group(1).decode()}")
        # A partnership of the tenant (signed, in progress), for the partnership page.
        st, _, body = request(a.base, "GET", f"/t/{t}/partnerships?status=active", headers=h)
        m = re.search(rf"/t/{t}/partnerships/(\d+)".encode(), body) if st == 200 else None
        print(f"PARTNERSHIP={m.group(1).decode() if m else ''}")
        # A published case of the tenant, for the public case page.
        st, _, body = request(a.base, "GET", f"/t/{t}/cases")
        m = re.search(rf"/t/{t}/cases/(\d+)".encode(), body) if st == 200 else None
        print(f"CASE={m.group(1).decode() if m else ''}")
    else:
        st, _, body = request(a.base, "GET", f"/t/{t}/admin/audit", headers=h)
        if st != 200:
            sys.exit(f"audit page: HTTP {st}")
        m = re.search(rb'href="([^"]*before=\d+[^"]*)"', body)
        if m:
            link = html.unescape(m.group(1).decode())
            if link.startswith("?"):
                link = f"/t/{t}/admin/audit" + link
            print(f"AUDIT_OLDER='{link}'")
        else:
            print("AUDIT_OLDER=''")


# ------------------------------------------------------------------------------------------
class Sink:
    def __init__(self, out):
        self.out = open(out, "a", buffering=1)

    async def handle(self, reader, writer):
        def send(line):
            writer.write(line.encode() + b"\r\n")

        send("220 bench-sink ESMTP")
        await writer.drain()
        rcpts, mail_from = [], None
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                cmd = line.decode("utf-8", "replace").strip()
                up = cmd.upper()
                if up.startswith("EHLO"):
                    writer.write(b"250-bench-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK\r\n")
                elif up.startswith("HELO"):
                    send("250 bench-sink")
                elif up.startswith("MAIL FROM"):
                    mail_from, rcpts = cmd[10:].strip(), []
                    send("250 OK")
                elif up.startswith("RCPT TO"):
                    rcpts.append(cmd[8:].strip().strip("<>").split(">")[0])
                    send("250 OK")
                elif up == "DATA":
                    send("354 go ahead")
                    await writer.drain()
                    chunks = []
                    while True:
                        l2 = await reader.readline()
                        if not l2 or l2 in (b".\r\n", b".\n"):
                            break
                        if l2.startswith(b".."):
                            l2 = l2[1:]
                        chunks.append(l2)
                    raw = b"".join(chunks)
                    msg = email.message_from_bytes(raw, policy=email.policy.default)
                    subject = str(msg.get("Subject", ""))
                    try:
                        part = msg.get_body(("plain",))
                        text = part.get_content() if part else ""
                    except Exception:
                        text = ""
                    found = re.findall(r"\d{6}-\d{4}-\d{4,}", subject + "\n" + text)
                    rec = {
                        "rcpt": rcpts,
                        "subject": subject,
                        "receipt": found[0] if found else None,
                        "message_id": str(msg.get("Message-ID", "")),
                    }
                    self.out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    send("250 OK queued")
                elif up == "QUIT":
                    send("221 bye")
                    await writer.drain()
                    break
                elif up in ("RSET", "NOOP"):
                    if up == "RSET":
                        rcpts = []
                    send("250 OK")
                else:
                    send("250 OK")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def cmd_smtp_sink(a):
    sink = Sink(a.out)

    async def main():
        server = await asyncio.start_server(sink.handle, "127.0.0.1", a.port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# ------------------------------------------------------------------------------------------
def submit(base, tenant, source, email_addr, title):
    body = dict(INTAKE_BODY, email=email_addr, title=title)
    try:
        st, _, data = request(
            base,
            "POST",
            f"/api/v1/tenants/{tenant}/proposals",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            source=source,
        )
    except OSError as e:
        return "error", str(e)
    receipt = None
    if st == 201:
        receipt = json.loads(data).get("receipt_number")
    return st, receipt


def cmd_fire(a):
    urls = a.urls.split(",")
    jobs = []
    for i in range(a.n):
        src = a.source
        if a.sources_from:
            # one address per submission: 127.0.<x>.<y>
            base_ip = [int(x) for x in a.sources_from.split(".")]
            n = base_ip[3] + i
            src = f"{base_ip[0]}.{base_ip[1]}.{base_ip[2] + n // 250}.{1 + n % 250}"
        jobs.append((urls[i % len(urls)], src, f"{a.email_prefix}{i}@example.com", f"負荷試験 {i}"))
    counts, receipts = {}, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.n) as ex:
        for st, receipt in ex.map(lambda j: submit(j[0], a.tenant, j[1], j[2], j[3]), jobs):
            counts[str(st)] = counts.get(str(st), 0) + 1
            if receipt:
                receipts.append(receipt)
    print(json.dumps({"counts": counts, "receipts": receipts}))


def cmd_sink_count(a):
    per_rcpt, per_receipt, total = {}, {}, 0
    with open(a.file) as f:
        for line in f:
            rec = json.loads(line)
            total += 1
            for r in rec["rcpt"]:
                if r.startswith(a.prefix):
                    per_rcpt[r] = per_rcpt.get(r, 0) + 1
                    if rec.get("receipt"):
                        per_receipt[rec["receipt"]] = per_receipt.get(rec["receipt"], 0) + 1
    wanted = [f"{a.prefix}{i}@example.com" for i in range(a.n)]
    missing = [w for w in wanted if per_rcpt.get(w, 0) == 0]
    doubled = {k: v for k, v in per_rcpt.items() if v > 1}
    doubled_receipts = {k: v for k, v in per_receipt.items() if v > 1}
    print(
        json.dumps(
            {
                "sink_messages": total,
                "recipients_expected": a.n,
                "delivered_once": sum(1 for w in wanted if per_rcpt.get(w) == 1),
                "missing": missing[:10],
                "missing_count": len(missing),
                "doubled": doubled,
                "doubled_receipts": doubled_receipts,
            }
        )
    )
    sys.exit(0 if not missing and not doubled and not doubled_receipts else 3)


# ------------------------------------------------------------------------------------------
def sql(db, query, params=()):
    """Rows of a query on sqlite:PATH or a postgres:// URL (through psql)."""
    if db.startswith("sqlite:"):
        path = db[len("sqlite:"):]
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            return [tuple(str(c) for c in r) for r in con.execute(query, params)]
        finally:
            con.close()
    q = query
    for i, p in enumerate(params):
        q = q.replace("?", "'" + str(p).replace("'", "''") + "'", 1)
    out = subprocess.run(
        ["psql", "-X", "-At", "-F", "\t", "-d", db, "-c", q],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [tuple(l.split("\t")) for l in out.splitlines() if l]


def cmd_receipts(a):
    with open(a.file) as f:
        wanted = {l.strip() for l in f if l.strip()}
    stored = {
        r[0]
        for r in sql(a.db, "SELECT receipt_number FROM proposals WHERE tenant_code = ?", (a.tenant,))
    }
    missing = sorted(wanted - stored)
    print(json.dumps({"acknowledged": len(wanted), "missing": len(missing), "examples": missing[:5]}))
    sys.exit(0 if not missing else 3)


def cmd_outbox_pending(a):
    print(sql(a.db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0])


def cmd_proposals_count(a):
    print(sql(a.db, "SELECT COUNT(*) FROM proposals WHERE tenant_code = ?", (a.tenant,))[0][0])


# ------------------------------------------------------------------------------------------
def cmd_table(a):
    rows = [json.loads(l) for l in open(a.input) if l.strip()]
    out = []
    out.append(f"### {a.title}\n")
    out.append(
        "| endpoint | req/s | p50 ms | p99 ms | requests | errors (non-2xx/3xx, socket) | CPU ms/req | target | ok |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---|---|")
    streams = [r for r in rows if r.get("group") == "stream"]
    rows = [r for r in rows if r.get("group") != "stream"]
    for r in rows:
        errs = r.get("non2xx", 0) + r.get("socket_errors", 0)
        cpu = r.get("cpu_ms_per_req")
        out.append(
            "| {name} | {rps:.0f} | {p50:.2f} | {p99:.2f} | {req} | {errs} | {cpu} | {target} | {ok} |".format(
                name=r["name"],
                rps=r.get("rps", 0),
                p50=r.get("p50_ms", 0),
                p99=r.get("p99_ms", 0),
                req=r.get("requests", 0),
                errs=errs,
                cpu="-" if cpu is None else f"{cpu:.3f}",
                target=r.get("target", ""),
                ok=r.get("verdict", ""),
            )
        )
    if streams:
        out.append("")
        out.append("### Streamed downloads (each row: that many downloads at once, read to the end)\n")
        out.append(
            "| endpoint | downloads | complete (200, BOM) | bytes each | rows each | seconds | MB/s in all | server RSS before → peak MB | growth MB | target | ok |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|")
        for r in streams:
            out.append(
                f"| {r['name']} | {r['requests']} | {r['ok']} | {r['bytes_each']:,} | {r['rows_each']:,} | "
                f"{r['seconds']} | {r['mb_per_s']} | {r['rss_before_mb']} → {r['rss_peak_mb']} | "
                f"{r['rss_growth_mb']} | {r.get('target', '')} | {r.get('verdict', '')} |"
            )
    print("\n".join(out))


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmd_stream(a):
    """Downloads a streamed answer N times at once, to the end, sampling the server's memory
    every 10 ms: whether the answer streams in constant memory is whether the growth stays
    the same when the file is many times larger."""
    import threading
    import urllib.request

    before = rss_kb(a.pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(a.pid))
            time.sleep(0.01)

    def fetch(_):
        t0 = time.monotonic()
        n = rows = 0
        first = b""
        with urllib.request.urlopen(a.url, timeout=600) as r:
            status = r.status
            while True:
                chunk = r.read(65536)
                if not chunk:
                    break
                if not first:
                    first = chunk[:3]
                n += len(chunk)
                rows += chunk.count(b"\r\n")
        return status, n, rows, first == b"\xef\xbb\xbf", time.monotonic() - t0

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.parallel) as ex:
        results = list(ex.map(fetch, range(a.parallel)))
    elapsed = time.monotonic() - t0
    done.set()
    sampler.join()
    total = sum(r[1] for r in results)
    print(
        json.dumps(
            {
                "requests": len(results),
                "ok": sum(1 for r in results if r[0] == 200 and r[3]),
                "bytes_each": results[0][1],
                "rows_each": results[0][2],
                "seconds": round(elapsed, 2),
                "mb_per_s": round(total / 1e6 / elapsed, 1) if elapsed else None,
                "rss_before_mb": round(before / 1024, 1),
                "rss_peak_mb": round(peak[0] / 1024, 1),
                "rss_growth_mb": round((peak[0] - before) / 1024, 1),
            }
        )
    )


def cmd_verdict(a):
    """Adds target verdicts to a results file (in place); the static route is the reference."""
    rows = [json.loads(l) for l in open(a.input) if l.strip()]
    static = next((r for r in rows if r["name"].startswith("static")), None)
    for r in rows:
        g = r.get("group")
        v = []
        if g == "stream":
            r["target"] = "all complete; growth ≤ 16 MB"
            r["verdict"] = "yes" if r["ok"] == r["requests"] and r["rss_growth_mb"] <= 16 else "**no**"
            continue
        if g == "search":
            r["target"] = "p99≤30ms"
            v.append(r["p99_ms"] <= 30)
        elif g == "public":
            r["target"] = "p99≤20ms, ≥25% static"
            v.append(r["p99_ms"] <= 20)
            if static:
                v.append(r["rps"] >= 0.25 * static["rps"])
        elif g == "desk":
            r["target"] = "p99≤50ms"
            v.append(r["p99_ms"] <= 50)
        elif g == "intake":
            floor = 1500 if a.db == "sqlite" else 1000
            r["target"] = f"≥{floor}/s, 0 errors"
            v.append(r["rps"] >= floor)
        else:
            r["target"] = ""
        errs = r.get("non2xx", 0) + r.get("socket_errors", 0)
        if g:
            v.append(errs == 0)
            r["verdict"] = "yes" if all(v) else "**no**"
    with open(a.input, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def cmd_merge(a):
    """Merges the BENCHJSON summaries of one or more wrk runs (pg2: one per server)."""
    parts = []
    for path in a.files:
        for l in open(path, errors="replace"):
            if l.startswith("BENCHJSON "):
                parts.append(json.loads(l[len("BENCHJSON "):]))
    if not parts:
        print(json.dumps({"requests": 0, "rps": 0, "p50_ms": 0, "p99_ms": 0, "non2xx": 0, "socket_errors": 1}))
        return
    req = sum(p["requests"] for p in parts)
    dur = max(p["duration_us"] for p in parts) / 1e6
    merged = {
        "requests": req,
        "rps": sum(p["requests"] / (p["duration_us"] / 1e6) for p in parts),
        # with two servers: the request-weighted p50, and the worse p99
        "p50_ms": sum(p["p50_us"] * p["requests"] for p in parts) / max(req, 1) / 1000,
        "p99_ms": max(p["p99_us"] for p in parts) / 1000,
        "non2xx": sum(p["status_errors"] for p in parts),
        "socket_errors": sum(p["connect"] + p["read"] + p["write"] + p["timeout"] for p in parts),
        "duration_s": dur,
    }
    statuses = {}
    for p in parts:
        for k, v in (p.get("statuses") or {}).items():
            statuses[k] = statuses.get(k, 0) + v
    if statuses:
        merged["statuses"] = statuses
    print(json.dumps(merged))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("freeport")
    p = sub.add_parser("launch")
    p.add_argument("--url", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("argv", nargs=argparse.REMAINDER)
    p = sub.add_parser("login")
    p.add_argument("--base", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p = sub.add_parser("discover")
    p.add_argument("--base", required=True)
    p.add_argument("--cookie", required=True)
    p.add_argument("--tenant", required=True)
    p.add_argument("--kind", default="desk")
    p = sub.add_parser("smtp-sink")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("fire")
    p.add_argument("--urls", required=True)
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--tenant", required=True)
    p.add_argument("--source", default=None)
    p.add_argument("--sources-from", default=None)
    p.add_argument("--email-prefix", default="bench-fire-")
    p = sub.add_parser("sink-count")
    p.add_argument("--file", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--n", type=int, required=True)
    for name in ("receipts", "outbox-pending", "proposals-count"):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--tenant", default="")
        p.add_argument("--file", default="")
    p = sub.add_parser("table")
    p.add_argument("--in", dest="input", required=True)
    p.add_argument("--title", default="results")
    p = sub.add_parser("verdict")
    p.add_argument("--in", dest="input", required=True)
    p.add_argument("--db", default="sqlite")
    p = sub.add_parser("stream")
    p.add_argument("--url", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--parallel", type=int, default=8)
    p = sub.add_parser("merge")
    p.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.cmd == "launch" and a.argv[:1] == ["--"]:
        a.argv = a.argv[1:]
    {
        "freeport": cmd_freeport,
        "launch": cmd_launch,
        "login": cmd_login,
        "discover": cmd_discover,
        "smtp-sink": cmd_smtp_sink,
        "fire": cmd_fire,
        "sink-count": cmd_sink_count,
        "receipts": cmd_receipts,
        "outbox-pending": cmd_outbox_pending,
        "proposals-count": cmd_proposals_count,
        "table": cmd_table,
        "verdict": cmd_verdict,
        "merge": cmd_merge,
        "stream": cmd_stream,
    }[a.cmd](a)


if __name__ == "__main__":
    main()
