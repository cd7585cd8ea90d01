// The committed corpus still says what the real ceph_argparse says: regenerates every 60th case
// with Debian's python3-ceph-argparse and compares. Needs the package (test/_needs.ts): `npm test`
// skips this file loudly without it, and CI (TSMGR_REQUIRE_ALL=1) fails.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { missingMessage, probe } from "../_needs.ts";
import { corpus, type CephAnswer } from "./_ceph-corpus.ts";

const GENERATOR = fileURLToPath(new URL("../../scripts/argparse-corpus/generate.py", import.meta.url));
const STEP = 60;

test(`ceph_argparse, asked again now, gives the committed answer for every ${STEP}th corpus case`, () => {
  const why = probe("ceph-argparse");
  assert.not.ok(why, `this test asks Ceph's own parser: it ${missingMessage("ceph-argparse", why ?? "")}`);
  const out = execFileSync("/usr/bin/python3", [GENERATOR, "--sample", String(STEP)], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const live = JSON.parse(out) as [number, CephAnswer][];
  assert.is(live.length, Math.ceil(corpus.cases.length / STEP));
  const stale = live.filter(([i, answer]) => JSON.stringify(answer) !== JSON.stringify(corpus.cases[i]![2]));
  const shown = stale
    .slice(0, 5)
    .map(
      ([i, a]) =>
        `case ${i} ${JSON.stringify(corpus.cases[i]![1])}: now ${JSON.stringify(a)}, committed ${JSON.stringify(corpus.cases[i]![2])}`,
    );
  assert.is(stale.length, 0, `the corpus is stale: rerun scripts/argparse-corpus/generate.py\n${shown.join("\n")}`);
});

test.run();
