// Every argument type accepts its valid words with the value Ceph would send, and rejects bad
// ones with a message naming the argument, the value and the type.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseSignature, validateCommand, type ValidationResult } from "../../runtime/commands/index.ts";
import { fixture } from "./_fixtures.ts";

interface TypeCase {
  type: string;
  signature: string;
  accept: [string, unknown][];
  reject: string[];
  rejectJson: unknown[];
}

function accepted(result: ValidationResult): Record<string, unknown> {
  if (!result.ok)
    throw new assert.Assertion({
      message: `expected acceptance, got: ${result.message}`,
      operator: "ok",
      expects: true,
      actual: false,
    });
  return result.args;
}

function rejectedMessage(result: ValidationResult): string {
  if (result.ok)
    throw new assert.Assertion({
      message: `expected rejection, got ${JSON.stringify(result.args)}`,
      operator: "ok",
      expects: false,
      actual: true,
    });
  assert.is(result.errno, 22);
  return result.message;
}

for (const c of fixture<{ types: TypeCase[] }>("type-cases.json").types) {
  const sig = parseSignature(c.signature);
  const arg = sig.args[0]!;
  const prefix = sig.prefix;

  test(`${c.type} accepts ${c.accept.map(([w]) => JSON.stringify(w)).join(", ")} as Ceph would type them`, () => {
    for (const [word, value] of c.accept) {
      assert.equal(accepted(validateCommand([sig], [...prefix, word]))[arg.name], value, word);
      assert.equal(
        accepted(validateCommand([sig], { prefix: prefix.join(" "), [arg.name]: word }))[arg.name],
        value,
        `JSON ${word}`,
      );
    }
  });

  if (c.reject.length > 0) {
    test(`${c.type} rejects ${c.reject.map((w) => JSON.stringify(w)).join(", ")} naming ${arg.name}, the value and the type`, () => {
      for (const word of c.reject) {
        const message = rejectedMessage(validateCommand([sig], [...prefix, word]));
        assert.ok(message.includes(`${arg.name} ${JSON.stringify(word)}`), message);
        assert.ok(message.includes(`is not a ${c.type}`) || message.includes("is out of range"), message);
        assert.ok(message.startsWith("invalid command: "), message);
      }
    });
  }

  test(`${c.type} rejects JSON values ${c.rejectJson.map((v) => JSON.stringify(v)).join(", ")}`, () => {
    for (const value of c.rejectJson) {
      const message = rejectedMessage(validateCommand([sig], { prefix: prefix.join(" "), [arg.name]: value }));
      assert.ok(message.includes(`${arg.name} ${JSON.stringify(value)}`), message);
    }
  });
}

test("CephInt takes already-typed JSON integers and CephFloat already-typed numbers", () => {
  const sigs = ["n int name=count,type=CephInt,range=0|100", "n float name=ratio,type=CephFloat"];
  assert.is(accepted(validateCommand(sigs, { prefix: "n int", count: 42 })).count, 42);
  assert.is(accepted(validateCommand(sigs, { prefix: "n float", ratio: 1e-3 })).ratio, 1e-3);
});

test("CephInt refuses integers a double cannot hold exactly instead of rounding them", () => {
  const message = rejectedMessage(validateCommand(["n name=count,type=CephInt"], ["n", "18446744073709551615"]));
  assert.ok(message.includes('count "18446744073709551615"'), message);
});

test("CephBool takes JSON booleans", () => {
  assert.is(accepted(validateCommand(["b name=force,type=CephBool"], { prefix: "b", force: false })).force, false);
});

test("CephOsdName takes a JSON id", () => {
  assert.is(accepted(validateCommand(["o name=id,type=CephOsdName"], { prefix: "o", id: 3 })).id, 3);
});

test("CephPrefix words must match exactly; a mismatch means no command, not a bad argument", () => {
  const sig = parseSignature({ sig: ["check", { name: "prefix", type: "CephPrefix", prefix: "literal" }] });
  assert.equal(accepted(validateCommand([sig], ["check", "literal"])), { prefix: "check literal" });
  const message = rejectedMessage(validateCommand([sig], ["check", "other"]));
  assert.is(message, "no valid command found; 1 closest matches:\ncheck literal");
});

let dir = "";
let server: Server | undefined;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "tsmgr-commands-"));
  writeFileSync(join(dir, "file.txt"), "x");
  mkdirSync(join(dir, "sub"));
  server = createServer();
  await new Promise<void>((ok) => server!.listen(join(dir, "admin.sock"), ok));
});

test.after(async () => {
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  rmSync(dir, { recursive: true, force: true });
});

test("CephSocketpath accepts a listening Unix socket", () => {
  const path = join(dir, "admin.sock");
  assert.is(accepted(validateCommand(["daemon name=path,type=CephSocketpath"], ["daemon", path])).path, path);
});

test("CephSocketpath rejects a regular file and a missing path, naming path and value", () => {
  for (const path of [join(dir, "file.txt"), join(dir, "missing.sock")]) {
    const message = rejectedMessage(validateCommand(["daemon name=path,type=CephSocketpath"], ["daemon", path]));
    assert.ok(message.includes(`path ${JSON.stringify(path)} is not a CephSocketpath`), message);
  }
});

test("CephFilepath accepts an existing file and a creatable one, made absolute", () => {
  const sigs = ["dump name=filename,type=CephFilepath"];
  assert.is(accepted(validateCommand(sigs, ["dump", join(dir, "file.txt")])).filename, join(dir, "file.txt"));
  const relativePath = relative(process.cwd(), join(dir, "new.txt"));
  assert.ok(!relativePath.startsWith("/"), relativePath);
  assert.is(accepted(validateCommand(sigs, ["dump", relativePath])).filename, join(dir, "new.txt"));
});

test("CephFilepath rejects a file in a missing directory, and takes a readable directory as Ceph does", () => {
  // ceph_argparse 16.2.15 accepts any readable path, a directory included (the argparse corpus shows it)
  assert.is(
    accepted(validateCommand(["dump name=filename,type=CephFilepath"], ["dump", join(dir, "sub")])).filename,
    join(dir, "sub"),
  );
  for (const path of [join(dir, "nowhere", "x.txt")]) {
    const message = rejectedMessage(validateCommand(["dump name=filename,type=CephFilepath"], ["dump", path]));
    assert.ok(message.includes(`filename ${JSON.stringify(path)} is not a CephFilepath`), message);
  }
});

test.run();
