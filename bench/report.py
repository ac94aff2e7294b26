#!/usr/bin/python3
"""Turns one results directory of bench/run-all.sh into summary.md (Markdown tables, every figure next to its
same-run reference and the ratio) and PNG charts. Needs Debian's python3 with matplotlib (/usr/bin/python3).

    /usr/bin/python3 bench/report.py bench/results/latest docs
    /usr/bin/python3 bench/report.py bench/results/<media-ab dir> docs    # media-ab.sh rounds: ratios per arm
"""
import csv
import glob
import os
import re
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RES = sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest"
DOCS = sys.argv[2] if len(sys.argv) > 2 else "docs"
os.makedirs(DOCS, exist_ok=True)
out = []


def emit(line=""):
    out.append(line)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def kv(line):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", line))


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v if u == "ms" else v * 1000 if u == "s" else v * 60000


def to_mb(text):
    m = re.match(r"([\d.]+)(B|KB|MB|GB)$", text)
    if not m:
        return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v * {"B": 1 / 1048576, "KB": 1 / 1024, "MB": 1, "GB": 1024}[u]


def wrk(path):
    t = read(path)
    r = {"rps": float("nan"), "mbps": float("nan"), "p50": float("nan"), "p99": float("nan"), "requests": 0,
         "non2xx": 0, "errors": 0, "load": ""}
    if not t:
        return r
    m = re.search(r"Requests/sec:\s+([\d.]+)", t)
    r["rps"] = float(m.group(1)) if m else r["rps"]
    m = re.search(r"Transfer/sec:\s+(\S+)", t)
    r["mbps"] = to_mb(m.group(1)) if m else r["mbps"]
    m = re.search(r"(\d+) requests in", t)
    r["requests"] = int(m.group(1)) if m else 0
    for p in ("50", "99"):
        m = re.search(r"\s%s%%\s+(\S+)" % p, t)
        r["p" + p] = to_ms(m.group(1)) if m and r["requests"] > 0 else float("nan")
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    r["errors"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"^load (.*)$", t, re.M)
    r["load"] = m.group(1).split()[0] if m else ""
    return r


def f(v, digits=1):
    if v != v:  # NaN
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def ratio(a, b):
    return a / b if b and b == b and a == a else float("nan")


def rss_max(path):
    """max RSS (MiB) per (label, process) from a sampler file"""
    m = defaultdict(int)
    for line in read(path).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            m[(parts[0], parts[1])] = max(m[(parts[0], parts[1])], int(parts[2]))
    return {k: v / 1024 for k, v in m.items()}


def cpu_per_request(base):
    """(user ms, system ms) per request of one wrk cell from media.sh's <cell>.cpu and <cell>.txt; None if absent."""
    parts = read(f"{base}.cpu").split()
    requests = wrk(f"{base}.txt")["requests"]
    if len(parts) != 4 or not requests:
        return None
    u0, s0, u1, s1 = (float(x) for x in parts)
    return (u1 - u0) * 1000 / requests, (s1 - s0) * 1000 / requests


MEDIA_CELLS = [(size, kind, c) for size in ("2m", "50m") for kind in ("full", "range") for c in (1, 64)]
MEDIA_LABEL = {"2m": "2 MiB", "50m": "50 MiB", "full": "full", "range": "range 1 MB"}


def media_ab(res):
    """A results dir of media-ab.sh (<arm>-r<round>/media/): media-service / nginx per cell, every round and the
    median, for each arm, as a table (summary-media-ab.md) and a chart (benchmarks-media-ab.png)."""
    arms = defaultdict(dict)
    for d in sorted(glob.glob(f"{res}/*-r[0-9]*/media")):
        arm, rnd = os.path.basename(os.path.dirname(d)).rsplit("-r", 1)
        arms[arm][int(rnd)] = d
    rows = []  # (cell label, {arm: [ratio per round]})
    for size, kind, c in MEDIA_CELLS + [("304", "", 1)]:
        per_arm = {}
        for arm, rounds in arms.items():
            values = []
            for _, d in sorted(rounds.items()):
                name = "304_c1" if size == "304" else f"{size}_{kind}_c{c}"
                a, b = wrk(f"{d}/{name}_media.txt"), wrk(f"{d}/{name}_nginx.txt")
                key = "rps" if size == "304" else "mbps"
                values.append(ratio(a[key], b[key]))
            if any(v == v for v in values):
                per_arm[arm] = values
        if per_arm:
            label = "304 (req/s)" if size == "304" else f"{MEDIA_LABEL[size]} {MEDIA_LABEL[kind]}, {c} cl."
            rows.append((label, per_arm))
    names = list(arms)
    emit(f"## media-service / nginx, {', '.join(f'{a}: {len(arms[a])} rounds' for a in names)} ({os.path.basename(res.rstrip('/'))})")
    emit()
    emit("| cell | " + " | ".join(f"{a} rounds | **{a} median**" for a in names) + " |")
    emit("|---|" + "---|---:|" * len(names))
    for label, per_arm in rows:
        emit(f"| {label} | " + " | ".join(
            f"{' / '.join(f(v, 2) for v in per_arm.get(a, []))} | **{f(statistics.median(x for x in per_arm[a] if x == x), 2) if a in per_arm else '–'}**"
            for a in names) + " |")
    cpu_rows = []  # (cell label, {arm or "nginx": (user ms, sys ms)})
    for size, kind, c in MEDIA_CELLS:
        name = f"{size}_{kind}_c{c}"
        per = {}
        sources = [(a, "media", list(arms[a].values())) for a in names]
        sources.append(("nginx", "nginx", [d for rounds in arms.values() for d in rounds.values()]))
        for key, t, dirs in sources:
            vals = [v for v in (cpu_per_request(f"{d}/{name}_{t}") for d in dirs) if v]
            if vals:
                per[key] = tuple(statistics.median(v[i] for v in vals) for i in range(2))
        if "nginx" in per and len(per) > 1:
            cpu_rows.append((f"{MEDIA_LABEL[size]} {MEDIA_LABEL[kind]}, {c} cl.", per))
    if cpu_rows:
        emit()
        emit("CPU per request of the serving processes (user / system ms, median over the arm's rounds; nginx: its "
             "worker processes, every round), and each arm's user + system against nginx's:")
        emit()
        emit("| cell | " + " | ".join(f"{a} user / sys ms" for a in names) + " | nginx user / sys ms | "
             + " | ".join(f"{a} / nginx" for a in names) + " |")
        emit("|---|" + "---:|" * (2 * len(names) + 1))
        for label, per in cpu_rows:
            n = per["nginx"]
            cells = [f"{f(per[a][0], 3)} / {f(per[a][1], 3)}" if a in per else "–" for a in names]
            shares = [f(ratio(per[a][0] + per[a][1], n[0] + n[1]), 2) if a in per else "–" for a in names]
            emit(f"| {label} | " + " | ".join(cells) + f" | {f(n[0], 3)} / {f(n[1], 3)} | " + " | ".join(shares) + " |")
    with open(f"{res}/summary-media-ab.md", "w") as fh:
        fh.write("\n".join(out) + "\n")
    print("\n".join(out))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    w = 0.8 / max(1, len(names))
    for i, a in enumerate(names):
        xs = [x + (i - (len(names) - 1) / 2) * w for x in range(len(rows))]
        med = [statistics.median(v for v in per[a] if v == v) if a in per else float("nan") for _, per in rows]
        ax.bar(xs, med, w, label=f"{a} (median)", color=f"C{i}")
        for x, (_, per) in zip(xs, rows):
            ax.plot([x] * len(per.get(a, [])), per.get(a, []), "k.", markersize=4)
    ax.axhline(0.8, color="red", linestyle="--", linewidth=1, label="aim: 0.80 of nginx")
    ax.axhline(1.0, color="#888", linewidth=0.8)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([label.replace(", ", "\n").replace(" range", "\nrange").replace(" full", "\nfull")
                        for label, _ in rows], fontsize=8)
    ax.set_ylabel("media-service / nginx (same round)")
    ax.set_title("Media: throughput as a share of nginx's, per round (dots) and median (bars)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(f"{DOCS}/benchmarks-media-ab.png", dpi=110)
    plt.close(fig)


if glob.glob(f"{RES}/*-r[0-9]*/media"):  # a media-ab.sh results dir
    media_ab(RES)
    sys.exit(0)

machine = dict(line.split("=", 1) for line in read(f"{RES}/machine.txt").splitlines() if "=" in line)
# ------------------------------------------------------------------ workers against the fake upstream (upstream.sh)
def pctl(values, p):
    v = sorted(x for x in values if x == x)
    if not v:
        return float("nan")
    import math
    return v[max(0, min(len(v) - 1, math.ceil(p / 100 * len(v)) - 1))]


def csv_rows(path):
    try:
        with open(path) as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        return []


def worker_lines(path):
    """request id -> {result, downloaded, poster} ms after the fetch started; job id -> stored ms."""
    per_request, stored = defaultdict(dict), {}
    from datetime import datetime
    for line in read(path).splitlines():
        m = re.search(r"(\d{4}-\d\d-\d\dT[\d:.]+)Z.*job (\S+): stored after", line)
        if m:
            stored[m.group(2) + "@"] = datetime.fromisoformat(m.group(1) + "+00:00").timestamp() * 1000
        m = re.search(r"request (\S+): (result|downloaded|poster) after (\d+) ms", line)
        if m:
            per_request[m.group(1)][m.group(2)] = int(m.group(3))
        m = re.search(r"job (\S+): stored after (\d+) ms", line)
        if m:
            stored[m.group(1)] = int(m.group(2))
    return per_request, stored


def upstream_section(UP):
    o = kv(read(f"{UP}/overhead.txt"))
    jobs = csv_rows(f"{UP}/overhead-jobs.csv")
    fake = {r["request_id"]: r for r in csv_rows(f"{UP}/overhead-fake.csv")}
    if o and jobs:
        T = float(o["fake_seconds"]) * 1000
        per_request, stored = worker_lines(f"{UP}/overhead-worker-lines.txt")
        parts = defaultdict(list)
        for j in jobs:
            if j["type"] != "Completed":
                continue
            e2e = float(j["e2e_ms"])
            parts["e2e"].append(e2e)
            parts["overhead"].append(e2e - T)
            fr = fake.get(j["provider_request_id"])
            if not fr:
                continue
            sub, done, cp, res, dl = (int(fr[k]) for k in ("submit_ms", "done_ms", "completed_poll_ms", "result_ms", "download_end_ms"))
            comp, req = int(j["completed_at_ms"]), int(j["requested_at_ms"])
            parts["intake"].append(sub - req)
            parts["after"].append(comp - done)
            parts["poll"].append(cp - done)
            parts["result"].append(res - cp)
            parts["download"].append(dl - res)
            w = per_request.get(j["provider_request_id"], {})
            poster = w["poster"] - w["downloaded"] if "poster" in w and "downloaded" in w else float("nan")
            st = stored.get(j["job_id"], float("nan"))
            stored_at = stored.get(j["job_id"] + "@", float("nan"))
            parts["poster"].append(poster)
            parts["store"].append(st)
            parts["stored"].append(stored_at - dl)
            parts["rest"].append(comp - stored_at)
        emit(f"## Overhead per job against the fake upstream ({o['fake_seconds']} s per job, one job at a time, 1 worker)")
        emit()
        emit("End-to-end = `requestedAt` (gateway) → `Completed.occurredAt` (events topic); overhead = end-to-end − the "
             "fake's fixed time. Times from the fake's own clock (`/__jobs`: submit, done = submit + fixed time, first "
             "COMPLETED poll, result, end of download) and the worker's debug lines (poster, S3 puts); the rest is "
             "the MP4 check, temporary file, Kafka and hand-offs between threads.")
        emit()
        emit("| | p50 ms | p99 ms | max ms |")
        emit("|---|---:|---:|---:|")
        names = [("e2e", "end to end"), ("overhead", "**overhead** (end to end − fixed time)"),
                 ("intake", "requestedAt → submit at the fake"), ("after", "fake done → Completed"),
                 ("poll", "… poll wait (done → first COMPLETED answer)"), ("result", "… result request"),
                 ("download", "… download (130 KB)"), ("stored", "… download end → video and poster stored"),
                 ("poster", "… … of which MP4 check + poster (FFmpeg)"),
                 ("store", "… … of which S3 puts (from the first put to the last)"),
                 ("rest", "… stored → Completed (event built, hand-offs)")]
        for k, label in names:
            v = parts[k]
            emit(f"| {label} | {f(pctl(v, 50), 0)} | {f(pctl(v, 99), 0)} | {f(max(v) if v else float('nan'), 0)} |")
        emit(f"\n{o['completed']} jobs; load average at the start {o.get('load_start', '').replace(',', ' / ')}, "
             f"at the end {o.get('load', '').replace(',', ' / ')}.")
        emit()
        OVERHEADS.append((os.path.basename(os.path.dirname(UP.rstrip("/"))), parts))

    rows = [kv(line) for line in read(f"{UP}/scaleout.txt").splitlines() if "jobs_per_min" in line]
    if rows:
        import math
        base = float(rows[0]["jobs_per_min"])
        emit("## Scale-out against the fake upstream")
        emit()
        cap, T = int(rows[0]["cap"]), float(rows[0]["fake_seconds"])
        emit(f"Fixed batch submitted through the gateway, 8 at a time; fake {T:g} s per job; each worker process holds "
             f"at most {cap} jobs (`VIDEOGEN_WORKER_MAX_IN_FLIGHT`). Span = first `requestedAt` → last `Completed`. "
             "Ideal span with the measured split = the busiest worker's jobs ÷ its capacity × the fixed time "
             "(waves), ratio to the 1-worker ideal.")
        emit()
        emit("| workers | jobs | span s | jobs/min | ratio vs 1 worker | jobs per worker | ideal span s (split) | ideal ratio | e2e p50 / p99 s | load start / end |")
        emit("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        chart = []
        ideal1 = None
        for r in rows:
            n = int(r["workers"])
            job_ids = {j["job_id"] for j in csv_rows(f"{UP}/scale-{n}-jobs.csv")}
            per = defaultdict(int)
            for line in read(f"{UP}/scale-{n}-job-worker.txt").splitlines():
                w, jid = line.split()
                if jid in job_ids:
                    per[int(w)] += 1
            split = [per[w] for w in range(n)]
            ideal = max(math.ceil(x / cap) for x in split) * T if split and max(split) > 0 else float("nan")
            ideal1 = ideal if n == 1 else ideal1
            jpm = float(r["jobs_per_min"])
            emit(f"| {n} | {r['completed']}/{r['jobs']} | {f(float(r['span_s']))} | {f(jpm)} | **{f(jpm / base, 2)}** | {split} "
                 f"| {f(ideal, 0)} | {f(ideal1 / ideal, 2) if ideal1 else ''} | {f(float(r['e2e_p50_ms']) / 1000)} / "
                 f"{f(float(r['e2e_p99_ms']) / 1000)} | {r.get('load_start', '').split(',')[0]} / {r.get('load', '').split(',')[0]} |")
            chart.append((n, jpm, (ideal1 / ideal) * base if ideal1 else float("nan")))
        emit()
        emit("Jobs per partition (`murmur2(jobId) % 12`, as the gateway's producer keys them): " + ", ".join(
            f"{r['workers']} workers {r.get('per_partition', '')}" for r in rows) + ".")
        emit()
        emit("Partition assignment per consumer (from the group, `members.txt`): " + "; ".join(
            line.split(" ", 1)[1].split(" assigned")[0] for line in read(f"{UP}/members.txt").splitlines() if line.strip()) + ".")
        emit()
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.bar([str(n) for n, _, _ in chart], [j for _, j, _ in chart], label="measured")
        ax.plot([str(n) for n, _, _ in chart], [base * n for n, _, _ in chart], "k--", marker="o", label="linear")
        ax.plot([str(n) for n, _, _ in chart], [i for _, _, i in chart], "r:", marker="s", label="ideal with this partition split")
        ax.set_xlabel(f"worker processes ({cap} jobs in flight each)")
        ax.set_ylabel("jobs per minute")
        ax.set_title(f"Scale-out against the fake upstream ({T:g} s per job)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(f"{DOCS}/benchmarks-upstream-scaleout.png", dpi=110)
        plt.close(fig)

    i = kv(read(f"{UP}/inflight.txt"))
    samples = read(f"{UP}/inflight-samples.txt").splitlines()
    if i and samples:
        import json
        st = json.loads(read(f"{UP}/inflight-fake-stats.json") or "{}")
        st0 = json.loads(read(f"{UP}/inflight-fake-stats-before.json") or "{}")
        ts, thr, rss, gen, cpu, fcpu = [], [], [], [], [], []
        fake_rows = csv_rows(f"{UP}/inflight-fake.csv")
        for line in samples:
            t = float(line.split()[0])
            d = kv(line)
            ts.append(t)
            thr.append(int(d.get("threads", 0) or 0))
            rss.append(int(d.get("rss_kb", 0) or 0) / 1024)
            cpu.append(float(d.get("cpu_s", 0) or 0))
            fcpu.append(float(d.get("fake_cpu_s", 0) or 0))
            now = t * 1000
            gen.append(sum(1 for r in fake_rows if int(r["submit_ms"]) <= now < int(r["done_ms"])))
        T = float(i["fake_seconds"])
        jobs = csv_rows(f"{UP}/inflight-jobs.csv")
        fake = {r["request_id"]: r for r in fake_rows}
        after = [int(j["completed_at_ms"]) - int(fake[j["provider_request_id"]]["done_ms"]) for j in jobs
                 if j["type"] == "Completed" and j["provider_request_id"] in fake]
        intake = [int(fake[j["provider_request_id"]]["submit_ms"]) - int(j["requested_at_ms"]) for j in jobs
                  if j["type"] == "Completed" and j["provider_request_id"] in fake]
        polls = [int(r["status_polls"]) for r in fake_rows]
        emit(f"## {i['completed']} generations in flight on one worker process (fake {T:g} s per job)")
        emit()
        emit("| | |")
        emit("|---|---|")
        emit(f"| completed / failed | {i['completed']} / {i['failed']} |")
        emit(f"| most jobs generating at the fake at once (reference: jobs submitted) | **{st.get('maxGenerating')}** of {i['jobs']} |")
        emit(f"| span (first requestedAt → last Completed; reference: fixed time {T:g} s) | {f(float(i['span_s']))} s ({f(float(i['span_s']) / T, 2)}×) |")
        emit(f"| end to end p50 / p99 | {f(float(i['e2e_p50_ms']) / 1000)} / {f(float(i['e2e_p99_ms']) / 1000)} s |")
        emit(f"| requestedAt → submit at the fake p50 / p99 | {f(pctl(intake, 50), 0)} / {f(pctl(intake, 99), 0)} ms |")
        emit(f"| fake done → Completed p50 / p99 | {f(pctl(after, 50), 0)} / {f(pctl(after, 99), 0)} ms |")
        emit(f"| worker threads before / peak (reference: idle before the batch) | {thr[0]} / {max(thr)} |")
        emit(f"| worker RSS before / peak | {f(rss[0], 0)} / {f(max(rss), 0)} MiB |")
        emit(f"| worker CPU during the batch, per job | {f((cpu[-1] - cpu[0]) * 1000 / max(1, int(i['completed'])), 0)} ms |")
        emit(f"| fake CPU during the batch (its own JVM) | {f(fcpu[-1] - fcpu[0], 1)} s |")
        emit(f"| status polls per job p50 / max | {f(pctl(polls, 50), 0)} / {max(polls) if polls else ''} |")
        emit(f"| load average start / end | {i.get('load_start', '').replace(',', ' / ')} → {i.get('load', '').replace(',', ' / ')} |")
        emit()
        fig, ax = plt.subplots(figsize=(7, 4))
        x = [t - ts[0] for t in ts]
        ax.plot(x, gen, label="jobs generating at the fake")
        ax.plot(x, thr, label="worker threads")
        ax.plot(x, rss, label="worker RSS MiB")
        ax.set_xlabel("seconds")
        ax.set_title(f"{i['completed']} jobs of {T:g} s on one worker process")
        ax.legend()
        fig.tight_layout()
        fig.savefig(f"{DOCS}/benchmarks-upstream-inflight.png", dpi=110)
        plt.close(fig)


OVERHEADS = []
for UP in [p for p in (sys.argv[3:] if len(sys.argv) > 3 else [f"{RES}/upstream"]) if os.path.isdir(p)]:
    upstream_section(UP)
if OVERHEADS:  # one stacked bar per run (e.g. before and after a worker change), medians and p99 of each part
    keys = [("intake", "requestedAt → submit"), ("poll", "poll wait"), ("result", "result"), ("download", "download"),
            ("stored", "poster + S3 puts"), ("rest", "→ Completed")]
    fig, axes = plt.subplots(2, 1, figsize=(10, 2.4 + 1.0 * len(OVERHEADS)))
    for ax, p in zip(axes, (50, 99)):
        for row, (label, parts) in enumerate(OVERHEADS):
            left = 0
            for n, (k, name) in enumerate(keys):
                v = pctl(parts[k], p)
                v = v if v == v else 0
                ax.barh([label], [v], left=left, color=f"C{n}", label=name if row == 0 else None)
                left += v
        ax.set_xlabel(f"ms outside the fake's fixed time (p{p} of each part, stacked)")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle("Overhead per job against the fake upstream")
    fig.tight_layout()
    fig.savefig(f"{DOCS}/benchmarks-upstream-overhead.png", dpi=110, bbox_inches="tight")
    plt.close(fig)
if len(sys.argv) > 3:  # only the fake-upstream sections were asked for
    with open(f"{RES}/summary-upstream.md", "w") as fh:
        fh.write("\n".join(out) + "\n")
    print("\n".join(out))
    sys.exit(0)

emit("## Machine and load")
emit()
emit("| | |")
emit("|---|---|")
for k in ["date", "nproc", "cpu", "mem_total_mib", "kernel", "java", "wrk", "nginx", "loadavg_at_start", "loadavg_at_end"] + sorted(
        k for k in machine if k.startswith("rerun")):
    if k in machine:
        emit(f"| {k} | {machine[k].strip()} |")
emit()
loads = [line.split() for line in read(f"{RES}/loadavg.txt").splitlines()]
if loads:
    emit("Load average (1, 5, 15 min) when each benchmark started and ended: " + "; ".join(
        f"{l[0]} {l[2]}/{l[3]}/{l[4]}" for l in loads) + ".")
    emit()

# ------------------------------------------------------------------ media
emit("## Media: throughput and latency vs nginx (same file, same run)")
emit()
emit("MB/s = MiB of body read per second by wrk (all clients together); p50/p99 = latency of a whole response. "
     "Ratio = ours / nginx (1.00 = as fast as nginx). `–` = no response completed within the run "
     "(then only the bytes/s are meaningful).")
emit()
emit("| object | request | clients | nginx MB/s | media-service MB/s | gateway MB/s | media / nginx | gateway / nginx "
     "| nginx p50 / p99 ms | media p50 / p99 ms | gateway p50 / p99 ms | media-service RSS max MiB | load |")
emit("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
media_rss = rss_max(f"{RES}/media/rss-samples.txt")
chart = []
for size, kind, c in MEDIA_CELLS:
    r = {t: wrk(f"{RES}/media/{size}_{kind}_c{c}_{t}.txt") for t in ("nginx", "media", "gateway")}
    if r["nginx"]["requests"] == 0 and r["nginx"]["mbps"] != r["nginx"]["mbps"]:
        continue
    rss = max((v for (lbl, p), v in media_rss.items() if p == "media" and lbl.startswith(f"{size}_{kind}_c{c}_")),
              default=float("nan"))
    label, req = MEDIA_LABEL[size], MEDIA_LABEL[kind]
    emit(f"| {label} | {req} | {c} | {f(r['nginx']['mbps'])} | {f(r['media']['mbps'])} | {f(r['gateway']['mbps'])} "
         f"| {f(ratio(r['media']['mbps'], r['nginx']['mbps']), 2)} | {f(ratio(r['gateway']['mbps'], r['nginx']['mbps']), 2)} "
         f"| {f(r['nginx']['p50'])} / {f(r['nginx']['p99'])} | {f(r['media']['p50'])} / {f(r['media']['p99'])} "
         f"| {f(r['gateway']['p50'])} / {f(r['gateway']['p99'])} | {f(rss, 0)} | {r['media']['load']} |")
    chart.append((f"{label}\n{req}\n{c} cl.", r))
emit()
rss_lines = dict(line.split() for line in read(f"{RES}/media/media-rss.txt").splitlines() if len(line.split()) == 2)
if rss_lines:
    emit("media-service RSS: " + ", ".join(f"{k} {int(v) / 1024:.0f} MiB" for k, v in rss_lines.items()) + ".")
    emit()
s3 = {}
for size in ("2m", "50m"):
    rows = [line.split() for line in read(f"{RES}/media/s3proxy-{size}.txt").splitlines() if line.strip()]
    if rows:
        s3[size] = statistics.median(float(r[0]) for r in rows) / 1048576
if s3:
    emit("For scale, the object store alone (S3Proxy, which media-service reads from), one client, signed GETs with curl: "
         + ", ".join(f"{'2 MiB' if k == '2m' else '50 MiB'} object {v:.0f} MB/s" for k, v in s3.items()) + " (median of 5).")
    emit()
r304 = {t: wrk(f"{RES}/media/304_c1_{t}.txt") for t in ("nginx", "media")}
if r304["nginx"]["requests"]:
    emit(f"A request without a body (conditional GET answered 304, 1 client): nginx {f(r304['nginx']['rps'])} req/s "
         f"(p50 {f(r304['nginx']['p50'], 2)} ms), media-service {f(r304['media']['rps'])} req/s "
         f"(p50 {f(r304['media']['p50'], 2)} ms; owner check (in Redis, or remembered by the owner cache where the build has one) and cache look-up), ratio "
         f"{f(ratio(r304['media']['rps'], r304['nginx']['rps']), 2)}.")
    emit()
cold_warm = [line.split() for line in read(f"{RES}/media/cold-warm.txt").splitlines() if len(line.split()) == 5]
if cold_warm:
    emit("Cold and warm cache, media-service directly, one curl each: the first read of an object misses the disk "
         "cache and streams from the object store (a copy is made beside it); the next read is sent from the copy.")
    emit()
    emit("| object | read | status | time ms | MiB/s |")
    emit("|---|---|---:|---:|---:|")
    for size, attempt, status, seconds, speed in cold_warm:
        emit(f"| {'2 MiB' if size == '2m' else '50 MiB'} | {'first (miss)' if attempt == 'miss' else 'second (hit)'} "
             f"| {status} | {f(float(seconds) * 1000)} | {f(float(speed) / 1048576)} |")
    emit()


def metric(text, name, **tags):
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in tags.items()):
            return float(line.rsplit(" ", 1)[1])
    return float("nan")


mem_rows = []
for size, kind, c in MEDIA_CELLS:
    t = read(f"{RES}/media/{size}_{kind}_c{c}_media.metrics.txt")
    if not t:
        continue
    heap = sum(float(line.rsplit(" ", 1)[1]) for line in t.splitlines()
               if line.startswith('jvm_memory_used_bytes{area="heap"'))
    rss = max((v for (lbl, p), v in media_rss.items() if p == "media" and lbl == f"{size}_{kind}_c{c}_media"),
              default=float("nan"))
    mem_rows.append((size, kind, c, rss, metric(t, "jvm_buffer_memory_used_bytes", id="direct") / 1048576,
                     heap / 1048576))
if mem_rows:
    emit("media-service memory while it was loaded (RSS: max of the 0.5 s samples during its own cell; direct NIO "
         "buffers and heap: right after the cell):")
    emit()
    emit("| object | request | clients | RSS max MiB | direct buffers MiB | heap used MiB |")
    emit("|---|---|---:|---:|---:|---:|")
    for size, kind, c, rss, direct, heap in mem_rows:
        emit(f"| {MEDIA_LABEL[size]} | {kind} | {c} | {f(rss, 0)} | {f(direct, 2)} | {f(heap, 0)} |")
    emit()
if chart:
    fig, ax = plt.subplots(figsize=(11, 4.5))
    xs = range(len(chart))
    w = 0.27
    for i, (t, color) in enumerate((("nginx", "#888"), ("media", "#1f77b4"), ("gateway", "#ff7f0e"))):
        ax.bar([x + (i - 1) * w for x in xs], [r[t]["mbps"] for _, r in chart], w, label=t if t == "nginx" else
               ("media-service" if t == "media" else "through gateway"), color=color)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([c for c, _ in chart], fontsize=8)
    ax.set_ylabel("MiB/s (all clients)")
    ax.set_title("Media throughput, same file, same run (higher is better)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(f"{DOCS}/benchmarks-media.png", dpi=110)
    plt.close(fig)

# ------------------------------------------------------------------ live
emit("## Live updates: Kafka event to SSE line")
emit()
emit("References (same run): a client polling `GET /api/video-jobs/{id}` every 2 s sees a change after U(0, 2 s) "
     "plus one GET, so about 1 s + GET p50 at the median and 1.98 s + GET p99 at p99 (the GET timed against the same "
     "target just before the streams opened); ratio = SSE / polling (lower is better). Floor = the same client against "
     "a trivial SSE server in its own JVM, same streams and pace (what client and loopback alone cost right then). "
     "Direct = the same jobs followed on the status service at the same time as through the gateway.")
emit()
emit("| case | target | open streams | events (rate) | deliveries | SSE p50 ms | SSE p90 ms | SSE p99 ms | SSE max ms "
     "| polling p50 / p99 ms | p50 ratio | p99 ratio | floor p50 / p99 ms | direct p50 / p99 ms | status-service RSS max MiB | load |")
emit("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
live_rss = rss_max(f"{RES}/live/rss-samples.txt")
live_cases = []
DESC = {"distinct": "one job per stream", "gateway": "one job per stream, through the gateway",
        "same": "all streams on one job", "burst": "one job per stream, fast"}


def pair(d, a, b):
    x, y = float(d.get(a, "nan")), float(d.get(b, "nan"))
    return "–" if x != x else f"{f(x)} / {f(y)}"


for line in read(f"{RES}/live/summary.txt").splitlines():
    d = kv(line)
    if "p50_ms" not in d:
        continue
    p50, p99 = float(d["p50_ms"]), float(d["p99_ms"])
    ref50, ref99 = 1000 + float(d["get_p50_ms"]), 1980 + float(d["get_p99_ms"])
    rate = 1000 / (int(d.get("interval_ms", "20")) * 1.25)
    name = d.get("case", f"{d['mode']}-{d['streams']}")
    desc = DESC[name.split("-")[0]]
    rss = live_rss.get((name, "status"), float("nan")) / 1 if live_rss else float("nan")
    emit(f"| {desc} | {d.get('target', 'status')} | {d['streams']} | {d['events']} (~{rate:.0f}/s) "
         f"| {d['delivered']}/{d['expected']} | {f(p50)} "
         f"| {f(float(d['p90_ms']))} | {f(p99)} | {f(float(d['max_ms']))} | {f(ref50)} / {f(ref99)} "
         f"| {f(ratio(p50, ref50), 3)} | {f(ratio(p99, ref99), 3)} | {pair(d, 'floor_p50_ms', 'floor_p99_ms')} "
         f"| {pair(d, 'direct_p50_ms', 'direct_p99_ms')} | {f(rss, 0)} | {d.get('load', '').split(',')[0]} |")
    live_cases.append((name, desc, d))
emit()
emit("Where the time goes (means per delivered event; the status service's own metrics for the same events): Kafka "
     "delivery = fold lag - fold apply (producer to broker to the fold's consumer); fold apply = read the job, write it, "
     "announce it on Redis; fan-out = SSE mean - fold lag mean (Redis pub/sub to this replica, dispatch, Netty write, "
     "loopback, client read). Proxy = per event, gateway arrival - direct arrival.")
emit()
emit("| case | SSE mean ms | Kafka delivery ms | fold apply ms | fan-out to client ms | fold lag p99 ms | proxy p50 / p99 ms |")
emit("|---|---:|---:|---:|---:|---:|---:|")
for name, desc, d in live_cases:
    mean, lag, app = float(d["mean_ms"]), float(d.get("fold_lag_mean_ms", "nan")), float(d.get("fold_apply_mean_ms", "nan"))
    emit(f"| {name} | {f(mean)} | {f(lag - app)} | {f(app)} | {f(mean - lag)} | {f(float(d.get('fold_lag_p99_ms', 'nan')))} "
         f"| {pair(d, 'proxy_p50_ms', 'proxy_p99_ms')} |")
emit()
if live_cases:
    fig, ax = plt.subplots(figsize=(12, 5))
    for name, desc, d in live_cases:
        rows = [float(r["latency_ms"]) for r in csv.DictReader(open(f"{RES}/live/latency-{name}.csv"))]
        rows.sort()
        style = "--" if name.startswith("gateway") else ":" if name.startswith(("same", "burst")) else "-"
        if rows:
            ax.plot(rows, [(i + 1) / len(rows) for i in range(len(rows))], style,
                    label=f"SSE, {d['streams']} streams ({desc})")
        floor = f"{RES}/live/latency-{name}-floor.csv"
        if name.startswith("distinct") and os.path.exists(floor):
            rows = sorted(float(r["latency_ms"]) for r in csv.DictReader(open(floor)))
            if rows:
                ax.plot(rows, [(i + 1) / len(rows) for i in range(len(rows))], color="0.6", linewidth=0.8,
                        label=f"floor: client alone, {d['streams']} streams (reference)")
    xs = [10 ** (i / 100) for i in range(-100, 331)]  # 0.1 ms .. 2 s
    ax.plot(xs, [min(1.0, x / 2000) for x in xs], "k--", label="2 s polling, U(0, 2 s) (reference)")
    ax.axvline(50, color="r", linewidth=0.6)
    ax.set_xscale("log")
    ax.set_xlabel("event published → client sees it (ms, log scale; red line: 50 ms aim for p99)")
    ax.set_ylabel("fraction of deliveries")
    ax.set_title("Live-update latency CDF, same run (left is better)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(f"{DOCS}/benchmarks-live.png", dpi=110)
    plt.close(fig)

# ------------------------------------------------------------------ submit
emit("## Submit path: POST /api/generate-video (500 KB PNG) vs GET /actuator/health, same gateway, same run")
emit()
body = kv(read(f"{RES}/submit/body.txt"))
emit(f"Body: {body.get('body_bytes', '?')} bytes of multipart (PNG {body.get('png_bytes', '?')} bytes). "
     "No worker runs, so nothing consumes the jobs; rate limit raised. Ratio = submit / health.")
emit()
emit("| clients | submit req/s | submit p50 / p99 ms | gateway's own time per submit, mean ms | health req/s | health p50 / p99 ms "
     "| req/s ratio | p50 ratio | non-202 / errors | gateway RSS max MiB | load |")
emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
submit_rss = rss_max(f"{RES}/submit/rss-samples.txt")
sub_chart = []
server = {}
for c in (1, 16, 64):
    s, h = wrk(f"{RES}/submit/submit-c{c}.txt"), wrk(f"{RES}/submit/health-c{c}.txt")
    if s["requests"] == 0 and h["requests"] == 0:
        continue
    rss = submit_rss.get((f"submit-c{c}", "gateway"), float("nan"))
    st = [line.split() for line in read(f"{RES}/submit/server-c{c}.txt").splitlines()]
    server_ms = ((float(st[1][2]) - float(st[0][2])) / (int(st[1][1]) - int(st[0][1])) * 1000
                 if len(st) == 2 and int(st[1][1]) > int(st[0][1]) else float("nan"))
    server[c] = server_ms
    for r in (s, h):  # far fewer requests than c / p50 allows: the connection(s) sat idle on an unanswered request
        r["stalled"] = r["requests"] > 0 and r["p50"] == r["p50"] and r["rps"] < 0.5 * c / (r["p50"] / 1000)
    mark = lambda r: " †" if r["stalled"] else ""
    emit(f"| {c} | {f(s['rps'])}{mark(s)} | {f(s['p50'])} / {f(s['p99'])} | {f(server_ms)} | {f(h['rps'])}{mark(h)} | {f(h['p50'])} / {f(h['p99'])} "
         f"| {f(ratio(s['rps'], h['rps']), 3)} | {f(ratio(s['p50'], h['p50']), 1)} | {s['non2xx']} / {s['errors']} "
         f"| {f(rss, 0)} | {s['load']} |")
    sub_chart.append((c, s, h))
emit()
if any(r["stalled"] for _, sr, hr in sub_chart for r in (sr, hr)):
    emit("† requests/s cut short: a request on the keep-alive connection got no answer until the run ended "
         "(wrk counts only completed requests), so this rate is far below clients ÷ p50; compare latencies instead.")
    emit()
puts = [float(x) * 1000 for x in read(f"{RES}/submit/s3-put.txt").split()]
kafka = kv(read(f"{RES}/submit/kafka-publish.txt"))
if puts and kafka:
    server_mean = server.get(1, float("nan"))
    put_p50, put_mean = statistics.median(puts), statistics.mean(puts)
    k50, kmean = float(kafka["p50_ms"]), float(kafka["mean_ms"])
    emit("Cost breakdown of one submit (each part timed alone, one client, against the same servers, after the load runs):")
    emit()
    emit("| part | p50 ms | mean ms |")
    emit("|---|---:|---:|")
    emit(f"| gateway server-side time per submit at 1 client (its own `http_server_requests` metric) | – | {f(server_mean)} |")
    emit(f"| object-store PUT of the 500 KB image (curl, keep-alive, {len(puts)} PUTs) | {f(put_p50)} | {f(put_mean)} |")
    emit(f"| Kafka publish of a request-sized record, acks=all (200 sends) | {f(k50)} | {f(kmean)} |")
    emit(f"| remainder: multipart parsing into memory, byte checks of the image, rate limit (Redis), response "
         f"| – | {f(server_mean - put_mean - kmean)} |")
    emit()
if sub_chart:
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    cs = [str(c) for c, _, _ in sub_chart]
    ax[0].bar([x - 0.2 for x in range(len(cs))], [s["rps"] for _, s, _ in sub_chart], 0.4, label="POST submit (500 KB)")
    ax[0].bar([x + 0.2 for x in range(len(cs))], [h["rps"] for _, _, h in sub_chart], 0.4, label="GET health (reference)",
              color="#888")
    for x, (_, sr, hr) in enumerate(sub_chart):
        for dx, r in ((-0.2, sr), (0.2, hr)):
            if r["stalled"]:
                ax[0].annotate("†", (x + dx, r["rps"]), ha="center", va="bottom")
    ax[0].set_yscale("log")
    ax[0].set_xticks(range(len(cs)))
    ax[0].set_xticklabels(cs)
    ax[0].set_xlabel("concurrent clients")
    ax[0].set_ylabel("requests/s (log)")
    ax[0].legend(fontsize=8)
    ax[1].bar([x - 0.2 for x in range(len(cs))], [s["p99"] for _, s, _ in sub_chart], 0.4, label="submit p99")
    ax[1].bar([x + 0.2 for x in range(len(cs))], [h["p99"] for _, _, h in sub_chart], 0.4, label="health p99", color="#888")
    ax[1].set_yscale("log")
    ax[1].set_xticks(range(len(cs)))
    ax[1].set_xticklabels(cs)
    ax[1].set_xlabel("concurrent clients")
    ax[1].set_ylabel("p99 latency ms (log)")
    ax[1].legend(fontsize=8)
    fig.suptitle("Submit path vs health check, same gateway, same run")
    fig.tight_layout()
    fig.savefig(f"{DOCS}/benchmarks-submit.png", dpi=110)
    plt.close(fig)

# ------------------------------------------------------------------ workers
emit("## Overhead per job (demo generator 0 s, one job at a time, 1 worker)")
emit()
o = kv(read(f"{RES}/workers/overhead.txt"))
if o:
    emit("End-to-end = `requestedAt` (gateway) → `Completed.occurredAt`, both from the events topic; generator time = "
         "`Started` → the `storing the video` progress event (the demo render, which still encodes a real 5 s MP4 at "
         "0 s: it only skips the artificial wait); overhead = end-to-end − generator time (queue hand-off, "
         "image fetch, event publishing, storing video + poster).")
    emit()
    emit("| jobs | e2e p50 ms | generator p50 ms | overhead p50 ms | overhead p99 ms | overhead max ms | of which request → Started p50 / p99 ms | of which store → Completed p50 / p99 ms | load |")
    emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    emit(f"| {o['completed']} | {f(float(o['e2e_p50_ms']))} | {f(float(o['gen_p50_ms']))} | {f(float(o['overhead_p50_ms']))} "
         f"| {f(float(o['overhead_p99_ms']))} | {f(float(o['overhead_max_ms']))} | {f(float(o['queue_p50_ms']))} / "
         f"{f(float(o['queue_p99_ms']))} | {f(float(o['store_p50_ms']))} / {f(float(o['store_p99_ms']))} "
         f"| {o.get('load', '').split(',')[0]} |")
    emit()

emit("## Scale-out: a fixed batch with 1, 2, 4 workers")
emit()
rows = [kv(line) for line in read(f"{RES}/workers/scaleout.txt").splitlines() if "jobs_per_min" in line]
if rows:
    base = float(rows[0]["jobs_per_min"])
    emit("Batch submitted through the gateway, 8 at a time; span = first `requestedAt` → last `Completed`. "
         "Ratio = jobs/min ÷ jobs/min with 1 worker (ideal: equal to the worker count).")
    emit()
    emit("| workers | jobs completed | span s | jobs/min | ratio vs 1 worker | generator p50 ms | e2e p50 / p99 ms | jobs per worker | load |")
    emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    chart_rows = []
    for r in rows:
        n = r["workers"]
        before = dict(line.split() for line in read(f"{RES}/workers/per-worker-before-{n}.txt").splitlines() if line.strip())
        after = dict(line.split() for line in read(f"{RES}/workers/per-worker-after-{n}.txt").splitlines() if line.strip())
        per = [int(after[k]) - int(before.get(k, 0)) for k in sorted(after)]
        jpm = float(r["jobs_per_min"])
        emit(f"| {n} | {r['completed']}/{r['jobs']} | {f(float(r['span_s']))} | {f(jpm)} | {f(jpm / base, 2)} | {f(float(r['gen_p50_ms']))} "
             f"| {f(float(r['e2e_p50_ms']))} / {f(float(r['e2e_p99_ms']))} | {per} | {r.get('load', '').split(',')[0]} |")
        chart_rows.append((int(n), jpm))
    emit()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar([str(n) for n, _ in chart_rows], [j for _, j in chart_rows], label="measured")
    ax.plot([str(n) for n, _ in chart_rows], [base * n for n, _ in chart_rows], "k--", marker="o", label="linear (ideal)")
    ax.set_xlabel("workers (2 generation slots each)")
    ax.set_ylabel("jobs per minute")
    ax.set_title("Scale-out on 2 shared cores (demo generator, CPU-bound)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(f"{DOCS}/benchmarks-scaleout.png", dpi=110)
    plt.close(fig)

# ------------------------------------------------------------------ footprint
emit("## Footprint")
emit()
idle = defaultdict(dict)
for line in read(f"{RES}/rss-idle.txt").splitlines():
    lbl, proc, kb = line.split()
    idle[proc][lbl] = int(kb) / 1024
loaded = defaultdict(float)
for path in glob.glob(f"{RES}/*/rss-samples.txt"):
    for (lbl, proc), v in rss_max(path).items():
        key = "worker" if proc.startswith("worker") else proc
        loaded[(key, os.path.basename(os.path.dirname(path)))] = max(loaded[(key, os.path.basename(os.path.dirname(path)))], v)
procs = ["gateway", "status", "media", "worker", "kafka", "redis", "s3proxy"]
emit("RSS in MiB. Idle = 5 s after `Videogen is up`; under load = the maximum sampled every 0.5 s during each benchmark "
     "(workers: the largest worker). Services run with `-Xmx256m -XX:+UseSerialGC` (worker `-Xmx384m`; the status "
     "service C1 only, `-XX:TieredStopAtLevel=1`, and on Parallel GC), as `./run.sh` starts them.")
emit()
emit("| process | idle (cold start) | during media | during live (1,000 streams) | during submit | during overhead + scale-out | idle after all load | idle (warm start) |")
emit("|---|---:|---:|---:|---:|---:|---:|---:|")
for p in procs:
    i = idle.get(p, {})
    if p == "worker":
        i = idle.get("worker-0", {})
    emit(f"| {p} | {f(i.get('idle', float('nan')), 0)} | {f(loaded.get((p, 'media'), float('nan')), 0)} "
         f"| {f(loaded.get((p, 'live'), float('nan')), 0)} | {f(loaded.get((p, 'submit'), float('nan')), 0)} "
         f"| {f(loaded.get((p, 'workers'), float('nan')), 0)} | {f(i.get('after-load', float('nan')), 0)} "
         f"| {f(i.get('idle-warm', float('nan')), 0)} |")
emit()
starts = [line.split() for line in read(f"{RES}/startup.txt").splitlines()]
if starts:
    emit("`./run.sh` to `Videogen is up` (all 4 services ready, plus Kafka, Redis, S3Proxy):")
    emit()
    emit("| start | workers | seconds | load at the end |")
    emit("|---|---:|---:|---:|")
    for s in starts:
        d = kv(" ".join(s[2:]))
        emit(f"| {s[1]} ({'empty data dir' if s[1] == 'cold' else 'existing data dir'}) | {d['workers']} "
             f"| {float(d['seconds']):.1f} | {d['load'].split(',')[0]} |")
    emit()
    if idle:
        fig, ax = plt.subplots(figsize=(8, 4))
        names = [p for p in procs if idle.get(p if p != "worker" else "worker-0")]
        ax.bar([x - 0.2 for x in range(len(names))],
               [idle[p if p != "worker" else "worker-0"].get("idle", idle[p if p != "worker" else "worker-0"].get("idle-warm", 0)) for p in names],
               0.4, label="idle", color="#888")
        ax.bar([x + 0.2 for x in range(len(names))],
               [max((v for (k, _), v in loaded.items() if k == p), default=0) for p in names], 0.4, label="max under load")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names)
        ax.set_ylabel("RSS MiB")
        ax.set_title("Resident memory per process")
        ax.legend()
        fig.tight_layout()
        fig.savefig(f"{DOCS}/benchmarks-footprint.png", dpi=110)
        plt.close(fig)

with open(f"{RES}/summary.md", "w") as fh:
    fh.write("\n".join(out) + "\n")
print("\n".join(out))
