// mgr.json `trust` and `limits.packageMaxBytes` are checked like every other field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configFromObject } from "../../runtime/config/index.ts";
import { keyPair } from "./_tarball.ts";

const load = (o: Record<string, unknown>) => configFromObject(o, "/x/mgr.json");

test("trust.keys takes PEM and raw base64 ed25519 keys and refuses anything else, naming the entry", () => {
  const k = keyPair();
  assert.equal(load({ trust: { keys: [k.publicPem, k.publicRaw], requireSigned: true } }).trust, {
    keys: [k.publicPem, k.publicRaw],
    requireSigned: true,
  });
  assert.throws(
    () => load({ trust: { keys: [k.publicRaw, "bm90IGEga2V5"] } }),
    /^trust\.keys\[1\]: not an ed25519 public key/,
  );
  assert.throws(
    () => load({ trust: { requireSigned: true } }),
    /trust\.requireSigned: is true but trust\.keys is empty/,
  );
  assert.throws(
    () => load({ trust: { requiresigned: true } }),
    /trust\.requiresigned: unknown field; did you mean "requireSigned"/,
  );
});

test("limits.packageMaxBytes is daemon-wide, with a range", () => {
  assert.is(load({}).limits.packageMaxBytes, 64 * 1024 * 1024);
  assert.throws(() => load({ limits: { packageMaxBytes: 10 } }), /limits\.packageMaxBytes: 10 is out of range/);
  assert.throws(
    () => load({ modules: { dash: { limits: { packageMaxBytes: 2048 } } } }),
    /modules\.dash\.limits\.packageMaxBytes: is daemon-wide/,
  );
});

test.run();
