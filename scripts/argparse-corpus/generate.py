#!/usr/bin/python3
"""Ask the real ceph_argparse (Debian's python3-ceph-argparse, Ceph 16.2.15) what it makes of
thousands of (descriptors, argv) cases, and write its answers as the fixture
test/fixtures/commands/ceph-argparse-corpus.json, against which test/commands/ceph-parity.test.ts
holds validateCommand. See README.md beside this file.

    /usr/bin/python3 scripts/argparse-corpus/generate.py            # rewrite the fixture
    /usr/bin/python3 scripts/argparse-corpus/generate.py --sample 7 # print every 7th case's table
                                                                    # and answer, recomputed now
"""
import contextlib
import io
import json
import math
import os
import sys

import ceph_argparse as ca

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "runtime", "commands", "data")
OUT = os.path.join(ROOT, "test", "fixtures", "commands", "ceph-argparse-corpus.json")
SAFE = 2**53 - 1
# CLI routing, not grammar: validate() adds target/poll for these flags; tsmgr routes elsewhere
ROUTING_FLAGS = ca.Flag.MGR | ca.Flag.POLL

sys.path.insert(0, HERE)
from inputs import corpus_cases, synthetic_tables  # noqa: E402


def descriptor_to_sig(text):
    """Ceph's string grammar (MonCommands.h) as the JSON sig its daemons send."""
    sig = []
    for token in text.split():
        if "=" not in token:
            sig.append(token)
            continue
        sig.append(dict(pair.split("=", 1) for pair in token.split(",")))
    return sig


def load_table(spec):
    """A sigdict as the ceph CLI builds it, or the exception its parsing raises."""
    if "corpus" in spec:
        with open(os.path.join(DATA, spec["corpus"] + "-command-descriptions.json")) as f:
            raw = json.load(f)
        for cmd in raw.values():
            cmd["flags"] = cmd.get("flags", 0) & ~ROUTING_FLAGS
    else:
        raw = {f"cmd{i:03}": {"sig": descriptor_to_sig(d), "help": "", "flags": 0} for i, d in enumerate(spec["descriptors"])}
    try:
        return ca.parse_json_funcsigs(json.dumps(raw), "cli")
    except Exception as e:  # positional=false in 16.2.15: TypeError from the type's constructor
        return e


def encode(value):
    """JSON that JavaScript reads back exactly: ints beyond 2^53 and non-finite floats tagged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) <= SAFE else {"$int": str(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def ceph_answer(table, argv):
    """validate_command's verdict: ok + dict, invalid (a command was found) + the exception, nomatch, or crash."""
    if isinstance(table, Exception):
        return {"crash": type(table).__name__, "message": str(table)}
    raised = []
    real = ca.validate

    def spy(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except ca.ArgumentError as e:
            raised.append(e)
            raise

    ca.validate = spy
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            result = ca.validate_command(table, argv)
    except Exception as e:
        return {"crash": type(e).__name__, "message": str(e)}
    finally:
        ca.validate = real
    if result:
        return {"ok": encode(result)}
    if any(line.startswith("Invalid command:") for line in err.getvalue().splitlines()):
        e = raised[-1]
        return {"invalid": type(e).__name__, "message": str(e)}
    return {"nomatch": err.getvalue().splitlines()[0]}


def build():
    tables = synthetic_tables()
    for name in ("mon", "mgr", "osd0"):
        tables[name] = {"spec": {"corpus": name}, "inputs": []}
    for name, argv in corpus_cases(DATA):
        tables[name]["inputs"].append(argv)
    out_tables = {}
    cases = []
    for key, t in tables.items():
        out_tables[key] = t["spec"]
        table = load_table(t["spec"])
        for argv in t["inputs"]:
            cases.append([key, argv, ceph_answer(table, argv)])
    return out_tables, cases


def main():
    # CephString's message lists a set's characters, whose order follows the string hash:
    # a fixed seed makes the answers repeatable
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})
    if len(sys.argv) == 3 and sys.argv[1] == "--sample":
        # the live check: recompute every Nth case of the committed fixture
        step = int(sys.argv[2])
        with open(OUT) as f:
            fixture = json.load(f)
        loaded = {}
        out = []
        for i in range(0, len(fixture["cases"]), step):
            key, argv, _ = fixture["cases"][i]
            if key not in loaded:
                loaded[key] = load_table(fixture["tables"][key])
            out.append([i, ceph_answer(loaded[key], argv)])
        json.dump(out, sys.stdout, ensure_ascii=False)
        return
    tables, cases = build()
    fixture = {
        "_about": "What the real ceph_argparse of Ceph 16.2.15 (Debian python3-ceph-argparse) answers for each case: "
        "[table, argv, answer]. Written by scripts/argparse-corpus/generate.py; do not edit by hand.",
        "ceph": "16.2.15",
        "tables": tables,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    kinds = {}
    for _, _, answer in cases:
        k = next(iter(answer))
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{len(cases)} cases in {len(tables)} tables -> {os.path.relpath(OUT, ROOT)} {kinds}")


if __name__ == "__main__":
    main()
