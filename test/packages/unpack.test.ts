// unpackPackage() and checkSignature(): every refusal of a hostile package, and that a refused
// package leaves nothing outside the staging folder.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  checkIntegrity,
  checkSignature,
  integrityOf,
  packDirectory,
  PackageError,
  signPackage,
  unpackPackage,
} from "../../runtime/packages/index.ts";
import { cleanup, tempDir } from "../_util.ts";
import { goodEntries, keyPair, rawTar, tgz, writeModuleDir, type RawEntry } from "./_tarball.ts";

const test = suite("unpackPackage");
let dir = "";
let stage = "";
test.before.each(() => {
  dir = tempDir("tsmgr-unpack-");
  stage = join(dir, "stage");
  mkdirSync(stage);
});
test.after.each(() => cleanup(dir));

async function refused(bytes: Buffer, pattern: RegExp, max = 1 << 20): Promise<void> {
  const fresh = mkdtempSync(join(stage, "try-"));
  try {
    await unpackPackage(bytes, fresh, max);
  } catch (e) {
    assert.instance(e, PackageError);
    assert.match((e as Error).message, pattern);
    assert.equal(readdirSync(dir).sort(), ["stage"], "nothing was written beside the staging folder");
    return;
  }
  assert.unreachable(`accepted; expected ${pattern}`);
}

const withGood = (bad: RawEntry) => tgz([...goodEntries("dash"), bad]);

test("a good package unpacks to its files", async () => {
  const r = await unpackPackage(tgz(goodEntries("dash")), stage, 1 << 20);
  assert.equal(r.files, ["tsmgr.json", "index.ts"]);
  assert.equal(readdirSync(stage).sort(), ["index.ts", "tsmgr.json"]);
});

test("refuses a ../ path (path traversal), also hidden inside a folder path", async () => {
  await refused(withGood({ path: "../evil.ts", body: "x" }), /"\.\.\/evil\.ts" climbs out of the package/);
  await refused(withGood({ path: "src/../../evil.ts", body: "x" }), /climbs out of the package/);
  assert.not.ok(existsSync(join(dir, "evil.ts")));
});

test("refuses an absolute path", async () => {
  await refused(withGood({ path: "/tmp/evil.ts", body: "x" }), /"\/tmp\/evil\.ts" has an absolute path/);
});

test("refuses a symbolic link, a hard link, a device and a FIFO", async () => {
  await refused(
    withGood({ path: "passwd", type: "SymbolicLink", linkpath: "/etc/passwd" }),
    /"passwd" is a symbolic link/,
  );
  await refused(withGood({ path: "again", type: "Link", linkpath: "index.ts" }), /"again" is a hard link/);
  await refused(withGood({ path: "tty", type: "CharacterDevice" }), /"tty" is a character device/);
  await refused(withGood({ path: "pipe", type: "FIFO" }), /"pipe" is a FIFO/);
});

test("refuses a 10 GB entry from its header alone, before reading its data", async () => {
  await refused(
    withGood({ path: "sparse.bin", size: 10 * 1024 ** 3 }),
    /"sparse\.bin" claims 10737418240 bytes: .*limits\.packageMaxBytes \(1048576 bytes\)/,
  );
});

test("refuses files adding up to more than packageMaxBytes (zip bomb)", async () => {
  const zeros = Buffer.alloc(40 * 1024);
  const bomb = tgz([
    ...goodEntries("dash"),
    ...Array.from({ length: 10 }, (_, i) => ({ path: `z${i}.bin`, body: zeros })),
  ]);
  assert.ok(bomb.length < 10 * 1024, "the bomb is small packed");
  await refused(bomb, /more than limits\.packageMaxBytes \(131072 bytes\)/, 128 * 1024);
});

test("stops a gzip stream that decompresses past twice the limit, whatever the tar says", async () => {
  await refused(gzipSync(Buffer.alloc(4 * 1024 * 1024)), /decompresses to more than .* gzip bomb/, 64 * 1024);
});

test("refuses a truncated gzip and a file that is not gzip", async () => {
  const good = tgz(goodEntries("dash"));
  await refused(good.subarray(0, good.length - 30), /gzip data is truncated or corrupt/);
  await refused(rawTar(goodEntries("dash")), /not a gzip file/);
});

test("refuses an entry that appears twice", async () => {
  await refused(withGood({ path: "index.ts", body: "again" }), /"index\.ts" appears twice/);
});

test("packDirectory() is deterministic and refuses symlinks", async () => {
  const src = writeModuleDir(join(dir, "src"), "dash");
  const a = await packDirectory(src, 1 << 20);
  const b = await packDirectory(src, 1 << 20);
  assert.ok(a.bytes.equals(b.bytes), "same tree, same bytes");
  assert.equal(a.entries, ["index.ts", "tsmgr.json"]);
  const { symlinkSync } = await import("node:fs");
  symlinkSync("/etc/passwd", join(src, "passwd"));
  try {
    await packDirectory(src, 1 << 20);
    assert.unreachable("packed a symlink");
  } catch (e) {
    assert.match((e as Error).message, /passwd is a symbolic link/);
  }
});

test.run();

const sig = suite("checkSignature and checkIntegrity");

sig("a signature by a trusted key verifies; the signer's key id is returned", () => {
  const k = keyPair();
  const bytes = tgz(goodEntries("dash"));
  const s = signPackage(bytes, k.privatePem);
  const r = checkSignature(bytes, s, { keys: [k.publicRaw], requireSigned: true });
  assert.match(r.signer!, /^ed25519:[0-9a-f]{16}$/);
  assert.equal(
    checkSignature(bytes, s, { keys: [k.publicPem], requireSigned: true }).signer,
    r.signer,
    "PEM and raw base64 name the same key",
  );
});

sig("refuses a bad signature: another tarball's, or a forged one", () => {
  const k = keyPair();
  const bytes = tgz(goodEntries("dash"));
  const other = tgz(goodEntries("dash", "2.0.0"));
  const trust = { keys: [k.publicRaw], requireSigned: false };
  assert.throws(
    () => checkSignature(other, signPackage(bytes, k.privatePem), trust),
    /bad signature: it was made for sha512-/,
  );
  const forged = JSON.parse(signPackage(bytes, k.privatePem)) as { signature: string };
  forged.signature = Buffer.alloc(64, 7).toString("base64");
  assert.throws(
    () => checkSignature(bytes, JSON.stringify(forged), trust),
    /bad signature: it does not verify with trusted key ed25519:/,
  );
  assert.throws(() => checkSignature(bytes, "not json", trust), /not a tsmgr signature/);
});

sig("with requireSigned, refuses an unsigned package and a key not trusted; without, accepts them as unsigned", () => {
  const trusted = keyPair();
  const stranger = keyPair();
  const bytes = tgz(goodEntries("dash"));
  const bySt = signPackage(bytes, stranger.privatePem);
  assert.throws(
    () => checkSignature(bytes, undefined, { keys: [trusted.publicRaw], requireSigned: true }),
    /unsigned and mgr\.json sets trust\.requireSigned/,
  );
  assert.throws(
    () => checkSignature(bytes, bySt, { keys: [trusted.publicRaw], requireSigned: true }),
    /signed by key ed25519:[0-9a-f]{16}, which is not in mgr\.json trust\.keys/,
  );
  assert.is(checkSignature(bytes, bySt, { keys: [trusted.publicRaw], requireSigned: false }).signer, undefined);
  assert.is(checkSignature(bytes, undefined, { keys: [], requireSigned: false }).status, "unsigned");
});

sig("--sha512 is npm's integrity: sha512- and base64; a mismatch is refused naming both", () => {
  const bytes = tgz(goodEntries("dash"));
  checkIntegrity(bytes, integrityOf(bytes));
  const other = integrityOf(tgz(goodEntries("dash", "2.0.0")));
  assert.throws(
    () => checkIntegrity(bytes, other),
    new RegExp(`integrity mismatch: the package is sha512-.*, --sha512 expected ${other.replace(/[+/]/g, "\\$&")}`),
  );
  assert.throws(() => checkIntegrity(bytes, "sha1-abc"), /is not an integrity string/);
});

sig.run();
