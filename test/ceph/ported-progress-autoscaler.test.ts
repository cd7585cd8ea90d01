// The ported progress and pg_autoscaler modules against the real ceph-mgr 16.2.15 on one live
// single-node cluster: the real `ceph` CLI asks the real mgr, tsmgr (ceph backend) asks the ports,
// and the answers are compared field by field (values where they are the cluster's, types and
// shapes where they are times or ids). One cluster start; every wait is for a condition.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { waitFor } from "../_util.ts";
import { startPorted } from "../modules/_ported.ts";
import { brief, cephBackend, compareLive, useCephLab } from "./_support.ts";

const DEADLINE = 60_000;
const test = suite("ported progress and pg_autoscaler vs the real mgr");
const env = useCephLab(test, async (lab, dir) => {
  mkdirSync(join(dir, "data"), { recursive: true });
  return startPorted(dir, { autoscaler: true, config: { cluster: cephBackend(lab) } });
});

/** The real mgr's answer, from the real CLI. */
const real = (...args: string[]) => env.lab.ceph(...args);
async function ours(args: string[], format?: "json"): Promise<string> {
  const r = await env.d.command(args, format ? { format } : {});
  assert.is(r.retval, 0, brief(r.stderr));
  return r.stdout;
}

/** Both answers' shapes (keys, and types with ints and floats apart) must be the same. */
function sameShape(want: string, have: string, what: string): void {
  const report = compareLive(want, have);
  assert.equal(report.mismatches, [], `${what}: ${report.mismatches.join("; ")}`);
}

type Row = Record<string, unknown>;

test("osd pool autoscale-status -f json: the same pools with the same values as the real mgr's", async () => {
  // the ports read pool stats and OSD capacity once the backend has them: wait for the same pools
  const mine = await waitFor(
    async () => {
      const want = (JSON.parse(real("osd", "pool", "autoscale-status", "-f", "json")) as Row[])
        .map((p) => p.pool_name)
        .sort();
      const text = await ours(["osd", "pool", "autoscale-status"], "json");
      const have = (JSON.parse(text) as Row[]).map((p) => p.pool_name).sort();
      return JSON.stringify(want) === JSON.stringify(have) && have.length > 0 ? text : undefined;
    },
    "the same pools in both autoscale-status answers",
    DEADLINE,
  );
  const theirs = real("osd", "pool", "autoscale-status", "-f", "json");
  sameShape(theirs, mine, "autoscale-status");
  const want = new Map((JSON.parse(theirs) as Row[]).map((p) => [p.pool_name, p]));
  for (const row of JSON.parse(mine) as Row[]) {
    const ref = want.get(row.pool_name)!;
    for (const [key, value] of Object.entries(ref)) {
      if (typeof value === "number" && !Number.isInteger(value))
        assert.ok(
          Math.abs((row[key] as number) - value) <= Math.abs(value) * 1e-9 + 1e-12,
          `${row.pool_name}.${key}: ${row[key]} vs ${value}`,
        );
      else assert.equal(row[key], value, `${row.pool_name}.${key}`);
    }
  }
});

test("osd pool autoscale-status plain: the same columns and rows as the real mgr's", async () => {
  const theirs = real("osd", "pool", "autoscale-status").replace(/\n$/, "");
  const mine = await ours(["osd", "pool", "autoscale-status"]);
  const rows = (text: string) => text.split("\n").map((l) => l.trimEnd().split(/\s{2,}/));
  const [wantHead, ...wantRows] = rows(theirs);
  const [haveHead, ...haveRows] = rows(mine);
  assert.equal(haveHead, wantHead);
  const byName = (r: string[][]) => r.map((cells) => cells.join("|")).sort();
  assert.equal(byName(haveRows), byName(wantRows));
  assert.is(mine.split("\n")[0], theirs.split("\n")[0]); // the header line to the space
});

test("progress on a cluster with no events answers as the real mgr: nothing, and an empty json", async () => {
  const theirs = JSON.parse(real("progress", "json"));
  assert.equal(theirs, { events: [], completed: [] }, "the fresh cluster has no progress events");
  assert.equal(JSON.parse(await ours(["progress", "json"])), theirs);
  const r = await env.d.command(["progress"]);
  assert.equal([r.retval, r.stdout, r.stderr], [0, "", "Nothing in progress"]);
});

interface ProgressJson {
  events: { message: string; refs: unknown[] }[];
  completed: { message: string; refs: unknown[] }[];
}
const progressOf = async (): Promise<[string, string]> => [real("progress", "json"), await ours(["progress", "json"])];
const messages = (text: string) => {
  const j = JSON.parse(text) as ProgressJson;
  return { events: j.events.map((e) => e.message).sort(), completed: j.completed.map((e) => e.message).sort() };
};

test("osd out then in: both make and complete the same rebalancing events, in the same shape", async () => {
  await env.d.command(["config", "set", "mgr", "mgr/progress/sleep_interval", "1"]);
  await new Promise((r) => setTimeout(r, 2500)); // a look at the PGs on osd.0 before the change
  real("osd", "out", "0");
  const out = "Rebalancing after osd.0 marked out";
  const [theirs, mine] = await waitFor(
    async () => {
      const [t, m] = await progressOf();
      return messages(t).events.includes(out) && messages(m).events.includes(out) ? [t, m] : undefined;
    },
    `"${out}" in both`,
    DEADLINE,
  );
  const pick = (text: string) =>
    JSON.stringify((JSON.parse(text) as ProgressJson).events.filter((e) => e.message === out));
  sameShape(pick(theirs), pick(mine), "the out event");
  assert.equal(JSON.parse(pick(mine))[0].refs, JSON.parse(pick(theirs))[0].refs);

  real("osd", "in", "0");
  const [theirs2, mine2] = await waitFor(
    async () => {
      const [t, m] = await progressOf();
      const done = (text: string) =>
        messages(text).completed.includes(out) && !messages(text).events.some((e) => e.startsWith("Rebalancing"));
      return done(t) && done(m) ? [t, m] : undefined;
    },
    "both to complete the rebalancing events",
    DEADLINE,
  );
  const ghost = (text: string) =>
    JSON.stringify((JSON.parse(text) as ProgressJson).completed.filter((e) => e.message === out));
  sameShape(ghost(theirs2), ghost(mine2), "the completed out event");
  const rebalancing = (text: string) => messages(text).completed.filter((m) => m.startsWith("Rebalancing"));
  assert.equal(rebalancing(mine2), rebalancing(theirs2));
});

test.run();
