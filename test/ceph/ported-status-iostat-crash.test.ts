// The ported status, iostat and crash modules against the real ceph-mgr 16.2.15 on one live
// single-node cluster: the real `ceph` CLI asks the real mgr, tsmgr (ceph backend) asks the port,
// and the answers are compared field by field: text exactly where Ceph's is stable, rates and
// times by shape. Crashes are posted to both with the same metadata. One cluster start; every
// wait is for a condition.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ROOT, startTestDaemon, waitFor } from "../_util.ts";
import { brief, cephBackend, useCephLab } from "./_support.ts";

const DEADLINE = 30_000;
const test = suite("ported status, iostat, crash");
/** The three modules' sections of the shipped mgr.json (the crash store quota). */
const SHIPPED = JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")).modules as Record<string, unknown>;

const env = useCephLab(test, async (lab, dir) => {
  const d = await startTestDaemon(dir, {
    modulePath: join(ROOT, "modules"),
    cluster: cephBackend(lab),
    modules: { status: SHIPPED.status, iostat: SHIPPED.iostat, crash: SHIPPED.crash },
  });
  await waitFor(
    () => d.modules().filter((m) => m.state === "active").length === 3,
    "the three modules to be active",
    DEADLINE,
  );
  return d;
});

interface Answer {
  retval: number;
  stdout: string;
  stderr: string;
}

/** The real `ceph` CLI asking the real mgr (its stdout with the CLI's blank line before JSON dropped). */
function real(args: string[], input?: string): Answer {
  const r = spawnSync("ceph", ["-c", env.lab.conf, "--connect-timeout", "10", ...args], {
    encoding: "utf8",
    timeout: DEADLINE,
    input,
  });
  if (r.error) throw r.error;
  return { retval: r.status ?? -1, stdout: r.stdout.replace(/^\n/, ""), stderr: r.stderr };
}

/** tsmgr asking the port; stdout as its CLI prints it (a final newline added when missing). */
async function ours(words: string[], opts: { format?: "json" | "json-pretty"; inbuf?: string } = {}): Promise<Answer> {
  const r = await env.d.command(words, { timeoutMs: DEADLINE, ...opts });
  return { ...r, stdout: r.stdout === "" || r.stdout.endsWith("\n") ? r.stdout : r.stdout + "\n" };
}

/** Waits until both answer the same text (the two mgrs read the cluster at their own moments). */
async function sameText(realArgs: string[], ourWords: string[], opts: { format?: "json" } = {}): Promise<string> {
  let last = "";
  try {
    return await waitFor(
      async () => {
        const [a, b] = [real(realArgs), await ours(ourWords, opts)];
        last = `real:\n${a.stdout}\nours:\n${b.stdout}`;
        return a.retval === 0 && b.retval === 0 && a.stdout === b.stdout ? a.stdout || "(empty)" : undefined;
      },
      `${realArgs.join(" ")} to answer alike`,
      DEADLINE,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${brief(last, 3000)}`);
  }
}

test("osd status: the same table (hosts, space, rates, states) for all OSDs, a host bucket and a pattern", async () => {
  const all = await sameText(["osd", "status"], ["osd", "status"]);
  assert.match(all, /^ID {2}HOST +USED {2}AVAIL {2}WR OPS {2}WR DATA {2}RD OPS {2}RD DATA {2}STATE {6}\n/);
  assert.match(all, /\n 0 {2}\S+ .*exists,up {2}\n$/);
  const host = JSON.parse(env.lab.ceph("osd", "metadata", "0", "-f", "json")).hostname as string;
  await sameText(["osd", "status", host], ["osd", "status", host]);
  await sameText(["osd", "status", "*"], ["osd", "status", "*"]);
  // a root's items are hosts: Ceph's filter keeps no OSD, and the empty table prints nothing
  await sameText(["osd", "status", "default"], ["osd", "status", "default"]);
  // -f json changes nothing in Ceph's module
  await sameText(["osd", "status", "-f", "json"], ["osd", "status"], { format: "json" });
});

test("osd status of an unknown bucket: Ceph's text and ENOENT", async () => {
  const a = real(["osd", "status", "nope"]);
  const b = await ours(["osd", "status", "nope"]);
  // Ceph's module answers a positive errno with the text on stdout (the CLI then exits 0)
  assert.is(a.stdout.trim(), "Bucket 'nope' not found");
  assert.is(b.retval, -2);
  assert.is(b.stderr, a.stdout.trim());
});

test("fs status on a cluster without filesystems: the same (empty) text and JSON; an unknown fs is EINVAL", async () => {
  await sameText(["fs", "status"], ["fs", "status"]);
  const a = real(["fs", "status", "-f", "json"]);
  const b = await ours(["fs", "status"], { format: "json" });
  assert.equal(JSON.parse(b.stdout), JSON.parse(a.stdout));
  assert.is(b.stdout.trim(), a.stdout.trim());
  const bad = real(["fs", "status", "nope"]);
  const mine = await ours(["fs", "status", "nope"]);
  assert.is(mine.retval, -22);
  assert.is(mine.stderr, bad.stderr.trim());
});

/** iostat's lines with every number (a rate) replaced: the layout, columns and units remain. */
const shapeOf = (text: string) =>
  text
    .replace(/\d+/g, (n) => "9".repeat(n.length))
    .replace(/ *9+ (Ki|Mi|Gi|Ti|Pi|Ei)?B\/s/g, (m) => "R".repeat(m.length));

test("iostat: the header and a sample laid out as `ceph iostat` prints them (rates by shape)", async () => {
  // `ceph -p 0 iostat` asks once, with the header, at the terminal's width (80 without one)
  const a = real(["-p", "0", "iostat"]);
  assert.is(a.retval, 0, a.stderr);
  const b = await ours(["iostat", "80", "true"]);
  assert.is(b.retval, 0, b.stderr);
  const [ra, rb] = [a.stdout.trimEnd().split("\n"), b.stdout.trimEnd().split("\n")];
  assert.equal(rb.slice(0, 3), ra.slice(0, 3));
  assert.is(shapeOf(rb[3]!).length, shapeOf(ra[3]!).length);
  assert.match(
    rb[3]!,
    /^\| +\d+ (Ki|Mi|Gi|Ti|Pi|Ei)?B\/s \| +\d+ (Ki|Mi|Gi|Ti|Pi|Ei)?B\/s \| +\d+ (Ki|Mi|Gi|Ti|Pi|Ei)?B\/s \| +\d+ \| +\d+ \| +\d+ \|$/,
  );
  // Ceph's formatting fails below 12 columns (a Python traceback, EINVAL): ours says why
  const narrow = await ours(["iostat", "5"]);
  assert.is(narrow.retval, -22);
  assert.match(narrow.stderr, /width 5 is out of range/);
});

const now = () => new Date().toISOString().replace("Z", "000Z");
const crashMeta = (id: string, timestamp: string, entity: string) =>
  JSON.stringify({
    crash_id: `${timestamp}_${id}`,
    timestamp,
    process_name: entity.startsWith("osd") ? "ceph-osd" : "ceph-mon",
    entity_name: entity,
    ceph_version: "16.2.15",
    utsname_hostname: "vm1",
    utsname_sysname: "Linux",
    os_name: "Debian GNU/Linux",
    backtrace: [
      "/lib/x86_64-linux-gnu/libc.so.6(+0x3bfd0) [0x7f0d]",
      "(ceph::__ceph_assert_fail(char const*, char const*, int, char const*)+0x1a) [0x55d0]",
      "(OSD::init()+0x42) [0x55d1]",
      "main()",
    ],
    assert_msg:
      "/build/ceph/src/osd/OSD.cc: In function 'int OSD::init()' thread 7f0d time 2024-01-02T03:04:05.123456+0000\n/build/ceph/src/osd/OSD.cc: 3456: FAILED ceph_assert(r == 0)\n",
    assert_condition: "r == 0",
    note: "café ✓",
  });

async function postBoth(meta: string): Promise<void> {
  const a = real(["crash", "post", "-i", "-"], meta);
  assert.is(a.retval, 0, a.stderr);
  const b = await ours(["crash", "post"], { inbuf: meta });
  assert.is(b.retval, 0, b.stderr);
}

async function recentCrash(which: "real" | "ours"): Promise<unknown> {
  const text =
    which === "real"
      ? real(["health", "detail", "-f", "json"]).stdout
      : (await ours(["health", "detail"], { format: "json" })).stdout;
  const check = JSON.parse(text).checks?.RECENT_CRASH;
  return check ? { severity: check.severity, summary: check.summary, detail: check.detail } : null;
}

// long: one crash's life on both mgrs (post, list, show, health, archive, prune, rm), compared step by step
test("crash: post, ls, ls-new, info, stat, json_report, RECENT_CRASH, archive, archive-all, prune and rm answer alike", async () => {
  const fresh = crashMeta("1d2c3b4a-0000-4000-8000-000000000001", now(), "osd.0");
  const old = crashMeta(
    "1d2c3b4a-0000-4000-8000-000000000002",
    new Date(Date.now() - 20 * 86_400_000).toISOString().replace("Z", "000Z"),
    "mon.a",
  );
  const freshId = JSON.parse(fresh).crash_id as string;
  const oldId = JSON.parse(old).crash_id as string;
  await postBoth(fresh);
  await postBoth(old);
  await postBoth(fresh); // a second post of the same id changes nothing
  await sameText(["crash", "ls"], ["crash", "ls"]);
  await sameText(["crash", "ls-new"], ["crash", "ls-new"]);
  await sameText(["crash", "ls", "-f", "json"], ["crash", "ls"], { format: "json" });
  // info: every field, the stack signature (sha256 of the sanitized backtrace and assert) included
  await sameText(["crash", "info", freshId], ["crash", "info", freshId]);
  await sameText(["crash", "stat"], ["crash", "stat"]);
  const report = real(["crash", "json_report", "24"]);
  assert.is((await ours(["crash", "json_report", "24"])).stderr, report.stderr.trim());
  const want = await waitFor(() => recentCrash("real"), "the real RECENT_CRASH", DEADLINE);
  assert.equal(await recentCrash("ours"), want);
  assert.equal(
    (want as { summary: { count: number } }).summary.count,
    1,
    "the 20-day-old crash is older than warn_recent_interval (14 days)",
  );

  assert.is(real(["crash", "archive", freshId]).retval, 0);
  assert.is((await ours(["crash", "archive", freshId])).retval, 0);
  await sameText(["crash", "ls"], ["crash", "ls"]);
  await sameText(["crash", "ls-new"], ["crash", "ls-new"]);
  const [infoA, infoB] = [
    JSON.parse(real(["crash", "info", freshId]).stdout),
    JSON.parse((await ours(["crash", "info", freshId])).stdout),
  ];
  // archived is the time of archiving (Python's str(datetime.utcnow())): compared by shape
  for (const info of [infoA, infoB]) assert.match(info.archived, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
  assert.equal({ ...infoB, archived: "" }, { ...infoA, archived: "" });
  await waitFor(async () => (await recentCrash("real")) === null, "the real RECENT_CRASH to clear", DEADLINE);
  assert.is(await recentCrash("ours"), null);

  assert.is(real(["crash", "archive-all"]).retval, 0);
  assert.is((await ours(["crash", "archive-all"])).retval, 0);
  await sameText(["crash", "ls"], ["crash", "ls"]);
  assert.is(real(["crash", "prune", "5"]).retval, 0);
  assert.is((await ours(["crash", "prune", "5"])).retval, 0);
  await sameText(["crash", "ls"], ["crash", "ls"]);
  await sameText(["crash", "stat"], ["crash", "stat"]);
  assert.not.ok((await ours(["crash", "ls"])).stdout.includes(oldId), "prune 5 removed the 20-day-old crash");
  real(["crash", "rm", freshId]);
  await ours(["crash", "rm", freshId]);
  await sameText(["crash", "ls", "-f", "json"], ["crash", "ls"], { format: "json" });
});

test("crash: unknown ids, bad numbers and malformed metadata give Ceph's texts with EINVAL", async () => {
  const cases: [string[], string | undefined][] = [
    [["crash", "info", "nope"], undefined],
    [["crash", "archive", "nope"], undefined],
    [["crash", "prune", "x"], undefined],
    [["crash", "json_report", "x"], undefined],
    [["crash", "post"], JSON.stringify({ timestamp: "2024-01-02T03:04:05.123456Z" })],
    [["crash", "post"], JSON.stringify({ crash_id: "a", timestamp: "yesterday" })],
  ];
  for (const [words, inbuf] of cases) {
    const a = real(inbuf === undefined ? words : [...words, "-i", "-"], inbuf);
    const b = await ours(words, inbuf === undefined ? {} : { inbuf });
    assert.is(b.retval, -22, words.join(" "));
    assert.is(b.stderr, a.stderr.trim(), words.join(" "));
  }
  // not JSON at all: both say it is malformed (the parser's own words differ)
  const a = real(["crash", "post", "-i", "-"], "{not json");
  const b = await ours(["crash", "post"], { inbuf: "{not json" });
  assert.match(a.stderr, /^malformed crash metadata: /);
  assert.is(b.retval, -22);
  assert.match(b.stderr, /^malformed crash metadata: /);
});

test.run();
