#!/usr/bin/env python3
"""Per-job split of upstream.sh's overhead step: bench/overhead-split.py RESULTS/upstream [--jobs]

Joins overhead-jobs.csv (the events: requestedAt, Completed) with overhead-fake.csv (the fake's own clock: submit,
done, first COMPLETED answer, download end). Overhead = end to end - the fake's time; hand-off = requestedAt -> submit
at the fake; poll wait = done -> first COMPLETED answer; fetch = -> download end; store = -> Completed. A job with more
than 6 status polls missed its aimed poll (5 s fake)."""
import csv
import sys

d = sys.argv[1]
jobs = sorted(csv.DictReader(open(d + '/overhead-jobs.csv')), key=lambda j: int(j['requested_at_ms']))
fake = {r['request_id']: r for r in csv.DictReader(open(d + '/overhead-fake.csv'))}
rows = []
for j in jobs:
    f = fake.get(j['provider_request_id'])
    if not f:
        continue
    req, comp = int(j['requested_at_ms']), int(j['completed_at_ms'])
    sub, done, cp, dl = (int(f[k]) for k in ('submit_ms', 'done_ms', 'completed_poll_ms', 'download_end_ms'))
    rows.append(dict(overhead=comp - req - (done - sub), handoff=sub - req, poll=cp - done, fetch=dl - cp,
                     store=comp - dl, polls=int(f['status_polls'])))


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


missed = [i + 1 for i, r in enumerate(rows) if r['polls'] > 6]
print(f"jobs={len(rows)} missed={len(missed)} at={missed}")
for k in ('overhead', 'handoff', 'poll', 'fetch', 'store'):
    xs = [r[k] for r in rows]
    print(f"{k:8s} p50={pct(xs, .5):7.1f} p90={pct(xs, .9):7.1f} p99={pct(xs, .99):7.1f} max={max(xs)}")
if '--jobs' in sys.argv:
    for i, r in enumerate(rows):
        print(i + 1, r)
