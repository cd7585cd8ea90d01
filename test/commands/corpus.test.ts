// loadCorpus(): the real Ceph 16.2.15 descriptions parse completely and round-trip exactly.

import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CommandFlags,
  loadCorpus,
  parseSignature,
  signatureToJson,
  type CorpusName,
  type JsonSigItem,
} from "../../runtime/commands/index.ts";

const COUNTS: Record<CorpusName, number> = { mon: 584, mgr: 286, osd0: 89, mona: 44 };

function rawCorpus(name: CorpusName): Record<string, { sig: JsonSigItem[] }> {
  return JSON.parse(
    readFileSync(new URL(`../../runtime/commands/data/${name}-command-descriptions.json`, import.meta.url), "utf8"),
  );
}

for (const name of Object.keys(COUNTS) as CorpusName[]) {
  test(`loadCorpus("${name}") parses all ${COUNTS[name]} descriptors`, () => {
    const entries = loadCorpus(name);
    assert.is(entries.length, COUNTS[name]);
    for (const entry of entries) {
      assert.ok(entry.signature.prefix.length > 0, entry.id);
      assert.type(entry.help, "string");
    }
  });

  test(`every ${name} descriptor round-trips through signatureToJson() and Signature.text`, () => {
    const raw = rawCorpus(name);
    for (const entry of loadCorpus(name)) {
      // the JSON Ceph sends spells req as "false"/"False"/"fasle"/"true"; ours is canonical
      const expected = raw[entry.id]!.sig.map((item) => {
        if (typeof item === "string") return item;
        const copy: Record<string, unknown> = { ...item };
        if (copy.req === "true") delete copy.req;
        else if (copy.req !== undefined) copy.req = "false";
        return copy;
      });
      assert.is(JSON.stringify(signatureToJson(entry.signature).sig), JSON.stringify(expected), entry.id);
      assert.equal(parseSignature(entry.signature.text), entry.signature, entry.id);
    }
  });
}

test("loadCorpus() keeps help, perm, module and flags of each entry", () => {
  const create = loadCorpus("mon").find((e) => e.signature.prefix.join(" ") === "osd pool create")!;
  assert.equal([create.perm, create.module, create.flags], ["rw", "osd", 0]);
  assert.match(create.help, /create pool/);
  const mgrFlagged = loadCorpus("mon").filter((e) => e.flags & CommandFlags.MGR);
  assert.is(mgrFlagged.length, 286);
});

test('loadCorpus("osd0") entries carry no perm: admin-socket commands have none', () => {
  const entries = loadCorpus("osd0");
  assert.ok(entries.every((e) => e.perm === undefined && e.flags === 0));
});

test.run();
