// validateCommand(): Ceph's matching rules for argv words (test_ceph_argparse.py's cases) and
// the JSON command form, plus the cost of validating against the whole mon corpus.

import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CommandFlags,
  CommandTable,
  loadCorpus,
  parseSignature,
  validateCommand,
  type ValidationResult,
} from "../../runtime/commands/index.ts";
import { fixture } from "./_fixtures.ts";

interface ArgparseCase {
  case: number | string;
  signatures?: string[];
  corpus?: "mon";
  accept: { argv: string[]; args: Record<string, unknown> }[];
  reject: { argv: string[]; mentions: string[] }[];
}

// the ceph CLI leaves obsolete commands out of matching
const mon = new CommandTable(
  loadCorpus("mon")
    .filter((e) => !(e.flags & CommandFlags.OBSOLETE))
    .map((e) => e.signature),
);

function messageOf(result: ValidationResult): string {
  assert.not.ok(result.ok, `expected a rejection, got ${result.ok ? JSON.stringify(result.args) : ""}`);
  if (result.ok) return "";
  assert.is(result.errno, 22);
  return result.message;
}

function argsOf(result: ValidationResult): Record<string, unknown> {
  if (!result.ok) assert.unreachable(`expected acceptance, got: ${result.message}`);
  return result.ok ? result.args : {};
}

for (const c of fixture<{ cases: ArgparseCase[] }>("argparse-cases.json").cases) {
  const table = c.corpus ? mon : new CommandTable(c.signatures!);
  for (const { argv, args } of c.accept) {
    test(`validateCommand() accepts "${argv.join(" ")}" (argparse case ${c.case})`, () => {
      assert.equal(argsOf(validateCommand(table, argv)), args);
    });
  }
  for (const { argv, mentions } of c.reject) {
    test(`validateCommand() rejects "${argv.join(" ")}" (argparse case ${c.case})`, () => {
      const message = messageOf(validateCommand(table, argv));
      for (const m of mentions) assert.ok(message.includes(m), `expected ${JSON.stringify(m)} in: ${message}`);
    });
  }
}

// argparse case 14: four CephString and one CephInt, each given positionally, as --k v or --k=v
const RANDOM_CMD =
  "some random cmd name=variable,type=CephString name=key,type=CephString name=value,type=CephString name=mode,type=CephString name=count,type=CephInt";

test("validateCommand() builds the same dict whether each argument is positional, --k v or --k=v (all 243 mixes)", () => {
  const values: [string, string][] = [
    ["variable", "var1"],
    ["key", "key1"],
    ["value", "value1"],
    ["mode", "mode1"],
    ["count", "10"],
  ];
  const expected = {
    prefix: "some random cmd",
    variable: "var1",
    key: "key1",
    value: "value1",
    mode: "mode1",
    count: 10,
  };
  for (let mix = 0; mix < 3 ** values.length; mix++) {
    const argv = ["some", "random", "cmd"];
    values.forEach(([name, value], i) => {
      const form = Math.floor(mix / 3 ** i) % 3;
      if (form === 0) argv.push(value);
      else if (form === 1) argv.push(`--${name}`, value);
      else argv.push(`--${name}=${value}`);
    });
    assert.equal(argsOf(validateCommand([RANDOM_CMD], argv)), expected, argv.join(" "));
  }
});

test("validateCommand() takes keywords in any order and with dashes for underscores", () => {
  const argv = [
    "some",
    "random",
    "cmd",
    "--count",
    "10",
    "--mode=mode1",
    "--value",
    "value1",
    "--key",
    "key1",
    "--variable",
    "var1",
  ];
  assert.equal(argsOf(validateCommand([RANDOM_CMD], argv)).count, 10);
  const dashed = argsOf(mon.validate(["osd", "pool", "create", "foo", "--pg-num", "8", "--target-size-ratio=0.2"]));
  assert.equal(dashed, { prefix: "osd pool create", pool: "foo", pg_num: 8, target_size_ratio: 0.2 });
});

test("validateCommand() reads a bare CephBool keyword as true and --flag=false as false", () => {
  const sigs = ["osd pool rm name=pool,type=CephPoolname name=yes_i_really_mean_it,type=CephBool,req=false"];
  assert.is(
    argsOf(validateCommand(sigs, ["osd", "pool", "rm", "p", "--yes-i-really-mean-it"])).yes_i_really_mean_it,
    true,
  );
  assert.is(
    argsOf(validateCommand(sigs, ["osd", "pool", "rm", "p", "--yes_i_really_mean_it"])).yes_i_really_mean_it,
    true,
  );
  assert.is(
    argsOf(validateCommand(sigs, ["osd", "pool", "rm", "--yes-i-really-mean-it=0", "p"])).yes_i_really_mean_it,
    false,
  );
  assert.is(argsOf(validateCommand(sigs, ["osd", "pool", "rm", "p", "true"])).yes_i_really_mean_it, true);
  assert.equal(argsOf(validateCommand(sigs, ["osd", "pool", "rm", "p"])), { prefix: "osd pool rm", pool: "p" });
});

test("validateCommand() splits n=N values on commas, except a positional CephString", () => {
  const sigs = ["list choices name=c,type=CephChoices,strings=a|b|c,n=N", "list strings name=s,type=CephString,n=N"];
  assert.equal(argsOf(validateCommand(sigs, ["list", "choices", "a,b", "c"])).c, ["a", "b", "c"]);
  assert.equal(argsOf(validateCommand(sigs, ["list", "strings", "allow r, allow w", "x"])).s, [
    "allow r, allow w",
    "x",
  ]);
  assert.equal(argsOf(validateCommand(sigs, ["list", "strings", "--s", "x,y", "--s=z"])).s, ["x", "y", "z"]);
});

test("validateCommand() takes up to n=<count> values and keeps the last, as Ceph's store_arg does", () => {
  const sigs = ["pair name=ends,type=CephInt,n=2"];
  assert.equal(argsOf(validateCommand(sigs, ["pair", "1", "2"])).ends, 2);
  assert.equal(argsOf(validateCommand(sigs, ["pair", "1"])).ends, 1);
  assert.match(messageOf(validateCommand(sigs, ["pair", "1", "2", "3"])), 'unused arguments: "3"');
});

test("validateCommand() passes a word an optional argument refuses on to the next one", () => {
  assert.equal(argsOf(mon.validate(["osd", "tree", "down"])), { prefix: "osd tree", states: ["down"] });
  assert.equal(argsOf(mon.validate(["osd", "blocklist", "rm", "1.2.3.4"])), {
    prefix: "osd blocklist",
    blocklistop: "rm",
    addr: "1.2.3.4",
  });
});

test("validateCommand() refuses a plain word for a keyword-only argument and takes the keyword", () => {
  const sigs = [
    "ls name=pool,type=CephString,req=false name=format,type=CephChoices,strings=json|plain,req=false,positional=false",
  ];
  assert.equal(argsOf(validateCommand(sigs, ["ls", "rbd", "--format", "json"])), {
    prefix: "ls",
    pool: "rbd",
    format: "json",
  });
  const message = messageOf(validateCommand(sigs, ["ls", "rbd", "json"]));
  assert.ok(message.includes('unexpected argument "json"') && message.includes("--format"), message);
});

test("validateCommand() names a missing keyword-only argument and how to give it", () => {
  const message = messageOf(validateCommand(["run name=target,type=CephString,positional=false"], ["run"]));
  assert.ok(message.includes("missing required argument target") && message.includes("--target <value>"), message);
});

test("validateCommand() refuses an unknown --option rather than taking it as a value", () => {
  const message = messageOf(
    validateCommand(["auth get name=entity,type=CephString"], ["auth", "get", "--entitty", "client.a"]),
  );
  assert.ok(
    message.includes('unexpected argument "--entitty"') && message.includes("its arguments are entity"),
    message,
  );
  // the legacy confirmation flags still pass as values of a CephString (fs volume rm in Pacific)
  assert.equal(
    argsOf(mon.validate(["fs", "volume", "rm", "vol", "--yes-i-really-mean-it"]))["yes-i-really-mean-it"],
    "--yes-i-really-mean-it",
  );
});

test("validateCommand() appends the usage of the command it settled on to an argument error", () => {
  const message = messageOf(mon.validate(["pg", "map", "1"]));
  assert.is(
    message,
    'invalid command: pgid "1" is not a CephPgid (no "." in it; expected <pool>.<hex seed>, e.g. 1.1f)\nusage: pg map <pgid>',
  );
});

test("validateCommand() lists the closest matches for an unknown command, ceph-style", () => {
  // a partial last word narrows the list to what it can complete
  assert.ok(
    messageOf(mon.validate(["osd", "pool", "creat"])).startsWith(
      "no valid command found; 1 closest matches:\nosd pool create <pool> [<pg_num:int>]",
    ),
  );
  // otherwise Ceph's ten best come nearest first
  const lines = messageOf(mon.validate(["osd", "pool", "creat", "foo"])).split("\n");
  assert.is(lines[0], "no valid command found; 10 closest matches:");
  assert.ok(lines[1]!.startsWith("osd pool create <pool>"), lines[1]);
});

test("validateCommand() guesses the command from a misspelt first word", () => {
  assert.is(
    messageOf(mon.validate(["osdd", "pool", "ls"])),
    "no valid command found; 1 closest matches:\nosd pool ls [<detail:detail>]",
  );
});

test("validateCommand() lists at most 10 closest matches for a word it cannot place", () => {
  const lines = messageOf(mon.validate(["zzzzzz", "qqq"])).split("\n");
  assert.is(lines[0], "no valid command found; 10 closest matches:");
  assert.is(lines.length, 11);
  assert.is(messageOf(validateCommand([], ["x"])), "no valid command found; 0 closest matches:");
});

test("validateCommand() accepts a command with its prefix words only", () => {
  assert.equal(argsOf(mon.validate(["osd", "pool", "ls"])), { prefix: "osd pool ls" });
  assert.equal(argsOf(mon.validate(["health", "detail"])), { prefix: "health", detail: "detail" });
});

test("validateCommand() takes a JSON command with typed values and strings alike", () => {
  const result = mon.validate({ prefix: "osd pool create", pool: "rbd", pg_num: 128, pgp_num: "128", bulk: true });
  assert.equal(argsOf(result), { prefix: "osd pool create", pool: "rbd", pg_num: 128, pgp_num: 128, bulk: true });
  assert.equal(result.ok && result.signature.prefix, ["osd", "pool", "create"]);
});

test("validateCommand() takes JSON lists for n=N arguments, and a lone value as a list of one", () => {
  assert.equal(argsOf(mon.validate({ prefix: "osd tree", states: ["up", "in"] })).states, ["up", "in"]);
  assert.equal(argsOf(mon.validate({ prefix: "osd tree", states: "up" })).states, ["up"]);
  assert.equal(
    argsOf(mon.validate({ prefix: "auth get-or-create-key", entity: "client.a", caps: ["mon", "allow r, allow w"] }))
      .caps,
    ["mon", "allow r, allow w"],
  );
});

test("validateCommand() rejects a JSON value of the wrong type, naming argument, value and type", () => {
  assert.match(
    messageOf(mon.validate({ prefix: "osd pool create", pool: "rbd", pg_num: "abc" })),
    'invalid command: pg_num "abc" is not a CephInt (expected an integer)',
  );
  assert.match(
    messageOf(mon.validate({ prefix: "osd pool create", pool: "rbd", pg_num: 1.5 })),
    "pg_num 1.5 is not a CephInt",
  );
  assert.match(
    messageOf(mon.validate({ prefix: "osd pool create", pool: "rbd", pg_num: -1 })),
    "pg_num -1 is out of range: must be >= 0",
  );
  assert.match(
    messageOf(mon.validate({ prefix: "osd tree", states: ["up", "sideways"] })),
    'states "sideways" is not a CephChoices',
  );
});

test("validateCommand() rejects an unknown JSON field and names the ones the command takes", () => {
  const message = messageOf(mon.validate({ prefix: "osd pool create", pool: "rbd", pg_nm: 8 }));
  assert.ok(message.includes('unknown argument "pg_nm" for "osd pool create"') && message.includes("pg_num"), message);
});

test("validateCommand() rejects a JSON command missing a required field", () => {
  assert.match(messageOf(mon.validate({ prefix: "osd pool create", pg_num: 8 })), "missing required argument pool");
  assert.match(messageOf(mon.validate({ prefix: "osd pool create", pool: null })), "missing required argument pool");
});

test("validateCommand() lets the CLI's format travel with any JSON command", () => {
  assert.equal(argsOf(mon.validate({ prefix: "osd pool ls", format: "json" })), {
    prefix: "osd pool ls",
    format: "json",
  });
  assert.match(messageOf(mon.validate({ prefix: "osd pool ls", format: 1 })), 'unknown argument "format"');
});

test("validateCommand() tries every signature sharing a JSON prefix", () => {
  const osd0 = new CommandTable(loadCorpus("osd0").map((e) => e.signature));
  assert.equal(argsOf(osd0.validate({ prefix: "pg", pgid: "1.0", cmd: "query" })), {
    prefix: "pg",
    pgid: "1.0",
    cmd: "query",
  });
  assert.equal(argsOf(osd0.validate(["pg", "1.0", "query"])), { prefix: "pg", pgid: "1.0", cmd: "query" });
});

test("validateCommand() answers an unknown JSON prefix with the closest matches", () => {
  const lines = messageOf(mon.validate({ prefix: "osd pool lss" })).split("\n");
  assert.equal(lines.slice(0, 2), ["no valid command found; 10 closest matches:", "osd pool ls [<detail:detail>]"]);
  assert.match(messageOf(mon.validate({ pool: "rbd" })), '"prefix" must hold the command\'s words');
});

test("validateCommand() answers input that is neither words nor an object with EINVAL", () => {
  assert.match(messageOf(mon.validate(null as unknown as string[])), "expected a list of words");
  assert.match(messageOf(mon.validate([1, 2] as unknown as string[])), "every word");
});

test("validateCommand() accepts descriptors as strings or Signatures, and sees changes to the array", () => {
  const sigs: (string | ReturnType<typeof parseSignature>)[] = ["hello name=person,type=CephString,req=false"];
  assert.equal(argsOf(validateCommand(sigs, ["hello", "bob"])), { prefix: "hello", person: "bob" });
  sigs.push(parseSignature("bye"));
  assert.equal(argsOf(validateCommand(sigs, ["bye"])), { prefix: "bye" });
  assert.throws(() => validateCommand(["hello name=x,type=CephFoo"], ["hello"]), SyntaxError);
});

test("validateCommand() checks a command against the 584-command mon corpus in well under 50 µs", () => {
  const inputs: (string[] | Record<string, unknown>)[] = [
    ["osd", "pool", "create", "foo", "8", "--pgp_num", "16"],
    ["osd", "pool", "ls", "detail"],
    ["osd", "tree", "down,out"],
    ["pg", "dump", "summary"],
    ["health", "detail"],
    ["auth", "get", "client.admin"],
    ["config", "set", "osd.1", "debug_osd", "20"],
    { prefix: "osd pool create", pool: "rbd", pg_num: 128 },
  ];
  for (const input of inputs) assert.ok(mon.validate(input).ok, JSON.stringify(input));
  const rounds = 2000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) for (const input of inputs) mon.validate(input);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / (rounds * inputs.length);
  assert.ok(micros < 50, `${micros.toFixed(1)} µs per command`);
});

test.run();
