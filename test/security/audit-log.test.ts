// A hostile module against the audit log: 5,000 refused calls write a bounded number of records
// (the rest counted), and nothing a module can do writes a record or touches tsmgr/audit/.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Arena } from "./_harness.ts";

const test = suite("audit log under attack");
let a: Arena;
test.before(async () => {
  // 5,000 refusals in one command: room for a loaded machine, so the deadline is not what is tested
  a = await Arena.open({
    hostile: { audit_forge: { allow: { data: ["health"] }, limits: { callTimeoutMs: 10_000 } } },
  });
});
test.after(async () => a?.close());

interface Rec {
  kind: string;
  module?: string;
  command?: string;
  count?: number;
  allowed: boolean;
}

test("a flood of denials writes a bounded number of records and counts every one; forged records never appear", async () => {
  const r = await a.report<{
    refused: number;
    traversal: { threw?: { name: string } };
    viaMon: { threw?: { name: string; message: string } };
  }>(["audit_forge"]);
  assert.is(r.refused, 5000, "every call was refused");
  assert.is(r.viaMon.threw?.name, "PermissionDenied");
  const ls = JSON.parse((await a.cmd(["audit", "ls", "--limit", "100000"], { format: "json" })).stdout) as {
    records: Rec[];
    counts: Record<string, Record<string, { denied: number; suppressed: number }>>;
  };
  const mine = ls.records.filter((x) => x.module === "audit_forge");
  const grants = mine.filter((x) => x.kind === "grant");
  assert.ok(grants.length >= 1 && grants.length <= 40, `${grants.length} grant records for 5,001 refusals`);
  const suppressed = mine.filter((x) => x.kind === "suppressed").reduce((n, x) => n + x.count!, 0);
  assert.is(grants.length + suppressed, 5001, "each refusal is either logged or counted in a suppressed record");
  assert.is(ls.counts.audit_forge!.get!.denied, 5000);
  assert.equal(
    ls.records.filter((x) => x.command === "forged"),
    [],
    "no forged record in the log",
  );
  assert.ok(ls.records.every((x) => x.kind !== "operator" || x.module === undefined));
  await a.checkHost();
});

test.run();
