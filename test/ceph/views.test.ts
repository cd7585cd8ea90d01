// The ceph backend's mapping from mon/mgr command output to get() answers, checked offline: the
// captured `ceph ... -f json` outputs of the fixture cluster, mapped, must have the shapes of what
// the real mgr handed its modules on the same cluster at the same time. No Ceph needed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  dfText,
  floatify,
  keyedMetadata,
  logEntry,
  metadataText,
  monMapText,
  osdMapText,
  osdTreeText,
  parseExact,
  pgViews,
  serialize,
  stampOf,
} from "../../runtime/cluster/ceph/views.ts";
import { readConfNames } from "../../runtime/cluster/ceph/conf.ts";
import { schemaFromTell } from "../../runtime/cluster/ceph/perf.ts";
import { cleanup, tempDir, writeFiles } from "../_util.ts";
import { compareLive, MGR_GET, reference } from "./_support.ts";

const CLI = join(MGR_GET, "..", "cli");
const cli = (name: string) => readFileSync(join(CLI, `${name}.json`), "utf8");

function sameShape(name: string, ours: string): void {
  const r = compareLive(reference(name)!, ours);
  assert.equal(r.mismatches, [], `${name}: ${r.mismatches.join("; ")}`);
}

test("osd dump, osd tree, mon dump and df detail map to the mgr's osd_map, osd_map_tree, mon_map and df", () => {
  sameShape("osd_map", osdMapText(cli("osd-dump")));
  sameShape("osd_map_tree", osdTreeText(cli("osd-tree")));
  sameShape("mon_map", monMapText(cli("mon-dump")));
  sameShape("df", dfText(cli("df-detail")));
  sameShape("osd_metadata", metadataText(keyedMetadata(cli("osd-metadata"), "id")));
  // byte for byte where the mgr's answer is the mon's with floats fixed
  assert.equal(
    JSON.parse(osdMapText(cli("osd-dump"))),
    JSON.parse(readFileSync(join(MGR_GET, "get.osd_map.json"), "utf8")),
  );
  assert.is(monMapText(cli("mon-dump")), JSON.stringify(JSON.parse(reference("mon_map")!)));
});

test("one pg dump maps to every pgmap name of the mgr", () => {
  const views = pgViews(cli("pg-dump"), JSON.parse(cli("status")).pgmap);
  for (const name of [
    "pg_dump",
    "pg_stats",
    "pool_stats",
    "osd_stats",
    "io_rate",
    "pg_ready",
    "pg_summary",
    "pg_progress",
    "active_clean_pgs",
    "osd_ping_times",
    "pg_status",
  ]) {
    assert.ok(views.texts.has(name), name);
    sameShape(name, views.texts.get(name)!);
  }
  // the same counts as the real mgr's, from the same capture
  const summary = JSON.parse(views.texts.get("pg_summary")!);
  assert.equal(summary.all, JSON.parse(reference("pg_summary")!).all);
  assert.equal(Object.keys(JSON.parse(views.texts.get("pg_dump")!)), Object.keys(JSON.parse(reference("pg_dump")!)));
});

test("floatify() writes whole numbers under the keys as floats, and nothing else", () => {
  const text = `{"weight":1,"reweight":0,"weight_set":2,"msg":"{\\"weight\\":1}","w":[{"weight":-3}],"id":7}`;
  assert.is(
    floatify(text, ["weight"]),
    `{"weight":1.0,"reweight":0,"weight_set":2,"msg":"{\\"weight\\":1}","w":[{"weight":-3.0}],"id":7}`,
  );
  assert.is(floatify(`{"weight":0.5}`, ["weight"]), `{"weight":0.5}`);
});

test("parseExact() keeps 64-bit integers to the digit through serialize()", () => {
  const text = `{"features":4540138297136889855,"ratio":0.31235176324844361,"n":12,"s":"4540138297136889855"}`;
  const { value, bigInts } = parseExact(text);
  assert.ok(bigInts);
  assert.is(
    serialize(value, [], bigInts),
    `{"features":4540138297136889855,"ratio":0.3123517632484436,"n":12,"s":"4540138297136889855"}`,
  );
  assert.not.ok(parseExact(`{"a":1,"b":2.5}`).bigInts);
});

test("a cluster log entry from librados becomes the mgr's LogEntry", () => {
  const mon = logEntry({
    channel: "cluster",
    name: "mon.a",
    who: "mon.0 [v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]",
    sec: 1795667507,
    nsec: 558943123,
    seq: 1186,
    priority: "[INF]",
    message: "hi",
  });
  assert.equal(mon, {
    addrs: {
      addrvec: [
        { type: "v2", nonce: 0, addr: "127.0.0.1:3300" },
        { type: "v1", nonce: 0, addr: "127.0.0.1:6789" },
      ],
    },
    seq: 1186,
    channel: "cluster",
    message: "hi",
    name: "mon.a",
    rank: "mon.0",
    stamp: "2026-11-26T04:31:47.558943+0000",
    priority: "[INF]",
  });
  const client = logEntry({
    channel: "cluster",
    name: "client.admin",
    who: "client.? 127.0.0.1:0/111057883",
    sec: 0,
    nsec: 0,
    seq: 0,
    priority: "[WRN]",
    message: "x",
  });
  assert.equal(client.addrs.addrvec, [{ type: "any", nonce: 111057883, addr: "127.0.0.1:0" }]);
  assert.is(client.rank, "client.?");
  assert.is(stampOf(1, 1000), "1970-01-01T00:00:01.000001+0000");
});

test("perf schema from a daemon keeps the counters a mgr keeps, in the mgr's form", () => {
  const schema = schemaFromTell(
    JSON.stringify({
      osd: {
        op_w: {
          type: 10,
          metric_type: "counter",
          value_type: "integer",
          description: "Client write operations",
          nick: "",
          priority: 5,
          units: "none",
        },
        op_in_bytes: { type: 10, description: "bytes", nick: "wr", priority: 8, units: "bytes" },
        hist: { type: 16, description: "h", nick: "", priority: 5, units: "none" },
        quiet: { type: 2, description: "q", nick: "", priority: 0, units: "none" },
      },
    }),
  );
  assert.equal(schema, {
    "osd.op_w": { description: "Client write operations", type: 10, priority: 5, units: 1 },
    "osd.op_in_bytes": { description: "bytes", nick: "wr", type: 10, priority: 8, units: 0 },
  });
});

test("the options a ceph.conf sets for our client are its [global], [client] and [client.NAME] ones", () => {
  const dir = tempDir();
  try {
    writeFiles(dir, {
      "ceph.conf":
        "[global]\nmon host = 1.2.3.4\n# comment = x\n[osd]\nosd data = /x\n[client.admin]\nrados-osd-op-timeout = 5 ; trailing\n",
    });
    assert.equal(readConfNames(join(dir, "ceph.conf"), "client.admin").sort(), ["mon_host", "rados_osd_op_timeout"]);
    assert.equal(readConfNames(join(dir, "missing.conf"), "client.admin"), []);
  } finally {
    cleanup(dir);
  }
});

test.run();
