#!/usr/bin/python3
"""librados for tsmgr: a long-lived helper speaking a framed protocol over stdin/stdout.

tsmgr's ceph cluster backend spawns this with the system interpreter (Debian's python3-rados
binding lives there, not in a pyenv python) and one JSON argument:
  {"conf": PATH, "keyring": PATH or "", "name": "client.admin", "timeout_s": N,
   "connect_timeout_s": N, "workers": N, "log_level": "info" or ""}

Requests, one JSON object per stdin line:
  {"id": 7, "op": "mon", "cmd": "<command JSON>", "inbuf": "", "target": null | "a" | 0}
  {"id": 8, "op": "mgr", "cmd": "...", "inbuf": ""}
  {"id": 9, "op": "osd", "cmd": "...", "inbuf": "", "target": 0}
  {"id": 10, "op": "conf", "names": ["mon_host", ...]}     -> {name: value} for the names known
  {"id": 11, "op": "ping"}
Every answer and event is a frame: one JSON header line, then exactly `len` payload bytes
(the command's output buffer, raw, so a 5 MB `pg dump` is never re-escaped):
  {"id": 7, "r": 0, "outs": "...", "len": 1234}\n<1234 bytes>
  {"ev": "ready", "fsid": ..., "addr": ..., "version": ..., "len": 0}\n
  {"ev": "log", "entry": {...}, "len": 0}\n             (cluster log, when log_level is set)
  {"ev": "fatal", "code": "ENOPKG" | "ECONNECT" | "EARGS", "errno": N, "message": "...", "len": 0}\n
Commands run on thread pools (librados drops the GIL while it waits), so a slow `pg dump`
never holds up a module's `osd pool ls`; mgr commands have a pool and a librados client of their
own (see connect() below). EOF on stdin shuts the client down.
"""
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

OUT = sys.stdout.buffer
OUT_LOCK = threading.Lock()


def send(header, payload=b""):
    header["len"] = len(payload)
    line = json.dumps(header, separators=(",", ":")).encode() + b"\n"
    with OUT_LOCK:
        OUT.write(line)
        if payload:
            OUT.write(payload)
        OUT.flush()


def fatal(code, message, errno=0):
    send({"ev": "fatal", "code": code, "errno": errno, "message": message})
    sys.exit(3)


def text(v):
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)


def widen_stdout():
    """A 1 MiB pipe: a `pg dump` answer then crosses in a few writes, not one per 64 KiB."""
    try:
        import fcntl
        fcntl.fcntl(OUT.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ
    except (ImportError, OSError):
        pass


def main():
    widen_stdout()
    try:
        args = json.loads(sys.argv[1])
    except (IndexError, ValueError) as e:
        fatal("EARGS", "rados_helper.py needs one JSON argument: %s" % e)
    try:
        import rados
    except ImportError as e:
        fatal("ENOPKG", "cannot import the librados Python binding (%s) with %s" % (e, sys.executable))

    timeout = str(max(1, int(args.get("timeout_s", 10))))
    conf = {
        "rados_mon_op_timeout": timeout,
        "rados_osd_op_timeout": timeout,
        "client_mount_timeout": str(max(1, int(args.get("connect_timeout_s", 30)))),
        # librados' own complaints (hunting for a mon, ...) would interleave with our frames' peer
        "log_to_stderr": "false",
        "err_to_stderr": "false",
    }
    if args.get("keyring"):
        conf["keyring"] = args["keyring"]

    def connect(overrides):
        c = rados.Rados(conffile=args["conf"], name=args.get("name") or "client.admin", conf=dict(conf, **overrides))
        c.connect(timeout=int(conf["client_mount_timeout"]))
        return c

    try:
        cluster = connect({})
        # librados 16's mgr_command, when rados_mon_op_timeout expires, returns while the command
        # stays queued with pointers into the returned call's stack: a mgr that answers later then
        # crashes the process. Mgr commands therefore go through a second client without that
        # timeout, on threads of their own; tsmgr times them out on its side instead.
        mgr_cluster = connect({"rados_mon_op_timeout": "0"})
    except rados.Error as e:
        fatal("ECONNECT", str(e), getattr(e, "errno", 0) or 0)
    except Exception as e:  # a bad conf path raises before librados has an errno
        fatal("ECONNECT", "%s: %s" % (type(e).__name__, e))

    level = args.get("log_level") or ""
    if level:
        def on_log(_arg, _line, channel, name, who, sec, nsec, seq, prio, msg):
            send({"ev": "log", "entry": {
                "channel": text(channel), "name": text(name), "who": text(who), "sec": sec, "nsec": nsec,
                "seq": seq, "priority": text(prio), "message": text(msg)}})
        cluster.monitor_log2(level, on_log, None)

    try:
        addr = cluster.get_addrs()
    except Exception:
        addr = ""
    send({"ev": "ready", "fsid": cluster.get_fsid(), "addr": text(addr), "version": [getattr(v, k, 0) for v in [cluster.version()] for k in ("major", "minor", "extra")]})

    def run(req):
        rid = req.get("id")
        try:
            op = req.get("op")
            if op == "ping":
                return send({"id": rid, "r": 0, "outs": ""})
            if op == "conf":
                values = {}
                for name in req.get("names", []):
                    try:
                        values[name] = cluster.conf_get(name)
                    except Exception:
                        pass
                return send({"id": rid, "r": 0, "outs": ""}, json.dumps(values, separators=(",", ":")).encode())
            cmd = req["cmd"]
            inbuf = (req.get("inbuf") or "").encode()
            target = req.get("target")
            if op == "mon":
                if target is None:
                    r, outb, outs = cluster.mon_command(cmd, inbuf)
                else:
                    r, outb, outs = cluster.mon_command(cmd, inbuf, target=target)
            elif op == "mgr":
                r, outb, outs = mgr_cluster.mgr_command(cmd, inbuf)
            elif op == "osd":
                r, outb, outs = cluster.osd_command(int(target), cmd, inbuf)
            else:
                return send({"id": rid, "r": -22, "outs": "rados_helper: unknown op %r" % op})
            # a negative errno, always (librados has returned a positive ETIMEDOUT here)
            send({"id": rid, "r": -abs(r), "outs": text(outs)}, bytes(outb or b""))
        except rados.Error as e:
            # the binding raises for a few transport failures instead of returning r < 0
            send({"id": rid, "r": -(getattr(e, "errno", 0) or 5), "outs": str(e)})
        except Exception as e:
            send({"id": rid, "r": -5, "outs": "rados_helper: %s: %s" % (type(e).__name__, e)})

    # mgr commands wait as long as the mgr takes: they must never take every thread from the mon's
    pool = ThreadPoolExecutor(max_workers=max(1, int(args.get("workers", 8))))
    mgr_pool = ThreadPoolExecutor(max_workers=max(1, int(args.get("mgr_workers", 4))))
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError:
            continue
        (mgr_pool if req.get("op") == "mgr" else pool).submit(run, req)
    pool.shutdown(wait=True)
    # a mgr command still waiting for a mgr that is gone would hold the exit forever
    mgr_pool.shutdown(wait=False, cancel_futures=True)
    cluster.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
