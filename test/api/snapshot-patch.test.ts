// Snapshots moved in as patches (runtime/api/snapshot-patch.ts, applied by the prelude): what a
// module's get() returns must be JSON.parse of the host's text of that version, key order included, through every
// kind of change the simulator makes, and old snapshots a module kept must not change.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clusterCellsOf } from "../../runtime/api/cluster-cells.ts";
import { diffJson } from "../../runtime/api/snapshot-patch.ts";
import { useDaemon } from "../_daemon.ts";

const MODULE = `
import { MgrModule } from "@tsmgr/sdk";
export default class Keeper extends MgrModule {
  static COMMANDS = [
    { cmd: "keep get name=what,type=CephString", desc: "", perm: "r" as const },
    { cmd: "keep hold name=what,type=CephString", desc: "", perm: "r" as const },
    { cmd: "keep held", desc: "", perm: "r" as const },
  ];
  static NOTIFY_TYPES = ["osd_map" as const, "health" as const];
  kept: [unknown, string][] = [];
  async handleCommand(_i: string, cmd: any) {
    const ok = (stdout: string) => ({ retval: 0, stdout, stderr: "" });
    if (cmd.prefix === "keep get") return ok(JSON.stringify(this.get(cmd.what)));
    if (cmd.prefix === "keep hold") {
      const v = this.get(cmd.what);
      this.kept.push([v, JSON.stringify(v)]);
      return ok("");
    }
    return ok(String(this.kept.every(([v, text]) => JSON.stringify(v) === text && Object.isFrozen(v))));
  }
}`;

const daemons = useDaemon(test);

const CHANGES = [
  ["sim", "osd", "down", "1"],
  ["sim", "osd", "out", "1"],
  ["sim", "osd", "in", "1"],
  ["sim", "osd", "up", "1"],
  ["sim", "osd", "add"],
  ["sim", "osd", "down", "0"],
  ["sim", "host", "add"],
  ["sim", "pool", "fill", "rbdpool", "40"],
  ["sim", "tick", "3"],
  ["sim", "osd", "rm", "4"],
  ["sim", "mon", "down", "b"],
  ["sim", "health", "set", "TEST_CODE", "warning", "a test"],
  ["sim", "osd", "up", "0"],
];

test("a module's get() is the host's JSON of each version, key order included, after every change; kept snapshots stay as they were", async () => {
  const d = await daemons.start({ files: { "keeper.ts": MODULE } });
  const run = async (argv: string[]) => {
    const r = await d.command(argv);
    assert.is(r.retval, 0, `${argv.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const names = ["osd_map", "pg_dump", "health", "mon_map", "osd_map_tree", "df"];
  for (const n of names) await run(["keep", "hold", n]); // read once: recent, so pushed from now on
  for (const change of CHANGES) {
    await run(change);
    for (const n of names) {
      // JSON.parse of the host's text, written back (Ceph's "1.0" and 64-bit ints do not survive a parse)
      const want = JSON.stringify(JSON.parse(d.cluster.getJson(n) ?? "null"));
      assert.is(await run(["keep", "get", n]), want, `${n} after ${change.join(" ")}`);
      await run(["keep", "hold", n]);
    }
  }
  assert.is(await run(["keep", "held"]), "true", "a kept snapshot changed or thawed");
  assert.ok(clusterCellsOf(d.cluster)!.patchesMade > 0, "no change went in as a patch: the test proves nothing");
});

test("diffJson descends only where the shapes match, and gives up on the root", () => {
  assert.equal(diffJson({ a: 1, b: [1, 2], c: { d: 1 } }, { a: 1, b: [1, 3], c: { d: 2 } }, 10), [
    [["b", 1], 3],
    [["c", "d"], 2],
  ]);
  assert.equal(diffJson({ a: [1, 2] }, { a: [1, 2, 3] }, 10), [[["a"], [1, 2, 3]]], "a longer array: whole");
  assert.equal(
    diffJson({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }, 10),
    [[["a"], { y: 2, x: 1 }]],
    "key order moved",
  );
  const proto = JSON.parse('{"o": {"__proto__": 1, "k": 1}}');
  const proto2 = JSON.parse('{"o": {"__proto__": 1, "k": 2}}');
  assert.equal(diffJson(proto, proto2, 10), [[["o"], proto2.o]], "an own __proto__ key: whole");
  assert.is(diffJson([1], { a: 1 }, 10), undefined);
  assert.is(diffJson({ a: 1, b: 2, c: 3 }, { a: 2, b: 3, c: 4 }, 2), undefined, "past maxOps");
});

test.run();
