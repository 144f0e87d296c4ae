#!/usr/bin/env bash
# gator_library_compare.sh — run the real gator and dockpolicy on every gatekeeper-library suite
# directory and compare the per-case outcomes.
#
# Usage:  DOCKPOLICY_BIN=target/release/dockpolicy bench/gator_library_compare.sh ROOT
#   ROOT     directory searched for suite.yaml files (a checkout of github.com/open-policy-agent/gatekeeper-library: its library/ directory);
#            may also be a single suite directory.
#   GATOR    gator binary (default: $DOCKPOLICY_GATOR, which scripts/oracles.sh prints)
#   DETAIL=0 suppresses the indented failure-detail lines under each disagreement.
#
# For each suite dir it runs `gator verify -v <dir>` and `$DOCKPOLICY_BIN gatekeeper verify <dir>`
# (both with cwd = the parent of ROOT's "library" dir when possible, so paths stay repo-relative),
# and prints: number of cases (from suite.yaml), gator passes, dockpolicy passes, and every case
# whose outcome differs.  Cases are keyed by (test, case, ordinal) because some upstream suites
# repeat a case name inside a test.  A test-level failure/error (e.g. "adding template: ...")
# with no per-case lines counts as ERROR for every case of the test (gator prints such
# template/constraint errors as "--- FAIL: <test>" with no case lines).
set -u
ROOT=${1:?usage: gator_library_compare.sh GATEKEEPER_LIBRARY/library}
GATOR=${GATOR:-${DOCKPOLICY_GATOR:?set GATOR or DOCKPOLICY_GATOR (scripts/oracles.sh builds it)}}
: "${DOCKPOLICY_BIN:?set DOCKPOLICY_BIN to the dockpolicy binary}"
export GATOR DOCKPOLICY_BIN ROOT DETAIL=${DETAIL:-1}

exec python3 - <<'PY'
import os, re, subprocess, sys, yaml
from collections import defaultdict

ROOT = os.path.abspath(os.environ['ROOT'])
GATOR = os.environ['GATOR']; DP = os.environ['DOCKPOLICY_BIN']; DETAIL = os.environ['DETAIL'] != '0'
# Work from the directory containing "library" so suite paths print repo-relative.
parts = ROOT.split(os.sep)
cwd = os.sep.join(parts[:parts.index('library')]) if 'library' in parts else os.path.dirname(ROOT)
os.chdir(cwd or '/')

dirs = sorted(os.path.relpath(dp, cwd) for dp, _, fs in os.walk(ROOT) if 'suite.yaml' in fs)

def suite_cases(d):
    """[(test, case, ordinal)] in suite order."""
    with open(os.path.join(d, 'suite.yaml')) as f:
        s = yaml.safe_load(f) or {}
    out = []
    for t in s.get('tests') or []:
        seen = defaultdict(int)
        for c in t.get('cases') or []:
            n = str(c.get('name')); seen[n] += 1
            out.append((str(t.get('name')), n, seen[n]))
    return out

def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout

def expand(cases, res, test_level, suite_level):
    """Fill in cases lacking a per-case result from test-/suite-level results."""
    out = {}
    for k in cases:
        if k in res: out[k] = res[k]
        elif k[0] in test_level: out[k] = test_level[k[0]]
        elif suite_level: out[k] = suite_level
        else: out[k] = ('MISSING', '')
    return out

RUNRE = re.compile(r'^=== RUN\s+(.*)$')
RESRE = re.compile(r'^--- (PASS|FAIL|SKIP|ERROR):\s+(.*?)\s*(\([0-9.]+m?s\))?$')

def parse_gator(text):
    res, test_level = {}, {}
    test = None; seen = defaultdict(int); last = None; suite_err = None
    for line in text.splitlines():
        ind = len(line) - len(line.lstrip(' ')); s = line.strip()
        m = RUNRE.match(s)
        if m and ind == 0:
            test = m.group(1); seen = defaultdict(int); last = None; continue
        m = RESRE.match(s)
        if m:
            st, name = m.group(1), m.group(2)
            if ind == 0:   # test-level result
                test_level[name] = (st, ''); last = ('T', name)
                # a failed test with no case lines at all is a template/constraint error
                if st == 'FAIL' and not any(k[0] == name for k in res):
                    test_level[name] = ('ERROR', '')
            else:
                seen[name] += 1; k = (test, name, seen[name])
                res[k] = (st, ''); last = ('C', k)
            continue
        if s.startswith('Error:') and 'FAIL' not in s and last is None:
            suite_err = ('ERROR', s)
        if last and s and not s.startswith(('ok\t', 'FAIL', 'PASS', 'Error:', '=== RUN')):
            tgt = res if last[0] == 'C' else test_level
            st, det = tgt[last[1]]
            tgt[last[1]] = (st, (det + ' | ' if det else '') + s)
    # a FAILed test whose cases all passed keeps its cases; a failed test with
    # no case lines (template/constraint error) is applied to every case by expand().
    return res, test_level, suite_err

LINERE = re.compile(r'^(PASS|FAIL|ERROR|SKIP)\s+(.*)$')
def parse_dp(text):
    res, test_level = {}, {}; suite_err = None; last = None
    seen = defaultdict(int)
    for line in text.splitlines():
        m = LINERE.match(line)
        if m:
            st, rest = m.group(1), m.group(2)
            fields = [x.strip() for x in rest.split(' / ')]
            if len(fields) >= 3:
                t, c = fields[1], ' / '.join(fields[2:])
                seen[(t, c)] += 1; k = (t, c, seen[(t, c)])
                res[k] = (st, ''); last = ('C', k)
            elif len(fields) == 2:
                test_level[fields[1]] = (st, ''); last = ('T', fields[1])
            else:
                suite_err = (st, ''); last = ('S', None)
            continue
        s = line.strip()
        if re.match(r'^\d+ cases, ', s): last = None; continue
        if re.match(r'^[\s|^]*$', s): continue      # code-frame decoration
        if last and s:
            if last[0] == 'C': tgt, key = res, last[1]
            elif last[0] == 'T': tgt, key = test_level, last[1]
            else:
                suite_err = (suite_err[0], (suite_err[1] + ' | ' if suite_err[1] else '') + s); continue
            st, det = tgt[key]; tgt[key] = (st, (det + ' | ' if det else '') + s)
    return res, test_level, suite_err

def short(s, n=300):
    s = re.sub(r'\s+', ' ', s)
    return s if len(s) <= n else s[:n] + '...'

tot = defaultdict(int)
for d in dirs:
    cases = suite_cases(d)
    _, gout = run([GATOR, 'verify', '-v', d])
    _, dout = run([DP, 'gatekeeper', 'verify', d])
    g = expand(cases, *parse_gator(gout))
    p = expand(cases, *parse_dp(dout))
    gp = sum(1 for k in cases if g[k][0] == 'PASS')
    pp = sum(1 for k in cases if p[k][0] == 'PASS')
    diffs = [k for k in cases if g[k][0] != p[k][0]]
    tot['suites'] += 1; tot['cases'] += len(cases); tot['gator'] += gp; tot['dp'] += pp; tot['diff'] += len(diffs)
    if diffs: tot['suites_diff'] += 1
    print(f"{d}: cases={len(cases)} gator_pass={gp} dockpolicy_pass={pp} differ={len(diffs)}")
    for k in diffs:
        t, c, o = k
        label = f"{t} / {c}" + (f" (#{o})" if o > 1 else '')
        print(f"  DIFF {label}: gator={g[k][0]} dockpolicy={p[k][0]}")
        if DETAIL:
            if g[k][1]: print(f"    gator: {short(g[k][1])}")
            if p[k][1]: print(f"    dockpolicy: {short(p[k][1])}")
    noted = set()
    for k in cases:   # same status but (visibly) different cause: worth knowing
        if g[k][0] == p[k][0] == 'ERROR' and g[k][1] != p[k][1] and k[0] not in noted:
            noted.add(k[0]); tot['error_cause_differs'] += 1
            print(f"  NOTE {k[0]}: both ERROR, causes differ")
            if DETAIL:
                print(f"    gator: {short(g[k][1])}")
                print(f"    dockpolicy: {short(p[k][1])}")
print(f"TOTAL: suites={tot['suites']} cases={tot['cases']} gator_pass={tot['gator']} "
      f"dockpolicy_pass={tot['dp']} differing_cases={tot['diff']} suites_with_differences={tot['suites_diff']} "
      f"tests_both_error_different_cause={tot['error_cause_differs']}")
PY
