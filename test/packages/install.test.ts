// `module install | rollback` on a real daemon with trust.requireSigned, and `module pack | sign`
// through the CLI: from a package file to a running module, and every refusal (with the module
// path left as it was and the refusal in the audit log).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { absoluteInstallPath } from "../../runtime/cli/module-package.ts";
import { integrityOf, signPackage } from "../../runtime/packages/index.ts";
import { cleanup, cli, startTestDaemon, tempDir, waitFor, writeConfig, type TestDaemon } from "../_util.ts";
import { goodEntries, keyPair, manifest, tgz, writeModuleDir, type RawEntry } from "./_tarball.ts";

const test = suite("module install");
const trusted = keyPair();
const stranger = keyPair();
let dir = "";
let d: TestDaemon;

test.before(async () => {
  dir = tempDir("tsmgr-install-");
  mkdirSync(join(dir, "modules"));
  mkdirSync(join(dir, "pkgs"));
  const overrides = { trust: { keys: [trusted.publicRaw], requireSigned: true }, limits: { packageMaxBytes: 1 << 20 } };
  d = await startTestDaemon(dir, overrides);
  writeConfig(dir, overrides);
});
test.after(async () => {
  await d?.stop();
  cleanup(dir);
});

/** Writes pkgs/FILE.tgz (signed by `signer` beside it, unless null) and returns its path. */
function pkg(file: string, entries: RawEntry[], signer: string | null = trusted.privatePem): string {
  const path = join(dir, "pkgs", `${file}.tgz`);
  const bytes = tgz(entries);
  writeFileSync(path, bytes);
  if (signer) writeFileSync(path + ".sig", signPackage(bytes, signer));
  return path;
}

const install = (path: string, ...more: string[]) => d.command(["module", "install", path, ...more]);
const modulePath = () => readdirSync(join(dir, "modules")).sort();

async function audit(module: string) {
  const r = await d.command(["audit", "ls", "--module", module], { format: "json" });
  assert.is(r.retval, 0, r.stderr);
  return (JSON.parse(r.stdout) as { records: { kind: string; allowed: boolean; key?: string; detail?: string }[] })
    .records;
}

test("pack, sign (CLI, no daemon needed) and install a package, then enable it: it runs", async () => {
  const src = writeModuleDir(join(dir, "dash-src"), "dash");
  writeFileSync(join(dir, "key.pem"), trusted.privatePem);
  const packed = await cli([
    "-c",
    join(dir, "mgr.json"),
    "-f",
    "json",
    "module",
    "pack",
    src,
    "--out",
    join(dir, "pkgs", "dash-1.0.0.tgz"),
  ]);
  assert.is(packed.code, 0, packed.stderr);
  const { file, integrity } = JSON.parse(packed.stdout) as { file: string; integrity: string };
  const signed = await cli(["module", "sign", file, "--key", join(dir, "key.pem")]);
  assert.is(signed.code, 0, signed.stderr);
  assert.match(signed.stdout, /^signed dash-1\.0\.0\.tgz with key ed25519:[0-9a-f]{16}/);
  const inst = await cli(["-c", join(dir, "mgr.json"), "module", "install", file, "--sha512", integrity]);
  assert.is(inst.code, 0, inst.stderr);
  assert.match(inst.stdout, /^installed dash 1\.0\.0 \(2 files, sha512-.*signed by trusted key ed25519:/);
  assert.match(inst.stdout, /tsmgr module enable dash starts it/);
  assert.equal(modulePath(), ["dash"]);
  assert.equal(await d.command(["module", "enable", "dash"]), { retval: 0, stdout: "", stderr: "" });
  assert.equal(await d.command(["dash", "hi"]), { retval: 0, stdout: "hi from 1.0.0", stderr: "" });
  const trust = (await audit("dash")).find((r) => r.kind === "trust")!;
  assert.ok(trust.allowed && /^ed25519:/.test(trust.key!), JSON.stringify(trust));
});

test("refuses a name clash without --upgrade; --upgrade replaces the module and rollback brings the old one back", async () => {
  const v2 = pkg("dash-2", goodEntries("dash", "2.0.0"));
  const clash = await install(v2);
  assert.is(clash.retval, -17);
  assert.match(clash.stderr, /module "dash" \(version 1\.0\.0\) already exists: pass --upgrade to replace it/);
  const up = await install(v2, "--upgrade");
  assert.is(up.retval, 0, up.stderr);
  assert.match(up.stdout, /previous version \(1\.0\.0\) is kept: tsmgr module rollback dash/);
  await waitFor(async () => (await d.command(["dash", "hi"])).stdout === "hi from 2.0.0", "dash runs 2.0.0");
  const back = await d.command(["module", "rollback", "dash"]);
  assert.is(back.retval, 0, back.stderr);
  assert.match(back.stdout, /rolled back to 1\.0\.0 \(replacing 2\.0\.0/);
  await waitFor(async () => (await d.command(["dash", "hi"])).stdout === "hi from 1.0.0", "dash runs 1.0.0 again");
  assert.equal(modulePath(), ["dash"], "no staging leftovers in the module path");
});

test("refuses unsigned, untrusted and badly signed packages (EACCES), each in the audit log", async () => {
  const unsigned = await install(pkg("u", goodEntries("uns"), null));
  assert.is(unsigned.retval, -13);
  assert.match(unsigned.stderr, /unsigned and mgr\.json sets trust\.requireSigned/);
  const untrusted = await install(pkg("s", goodEntries("str"), stranger.privatePem));
  assert.is(untrusted.retval, -13);
  assert.match(untrusted.stderr, /signed by key ed25519:[0-9a-f]{16}, which is not in mgr\.json trust\.keys/);
  const path = pkg("b", goodEntries("bad"));
  writeFileSync(path, tgz(goodEntries("bad", "6.6.6"))); // the tarball swapped after signing
  const bad = await install(path);
  assert.is(bad.retval, -13);
  assert.match(bad.stderr, /bad signature: it was made for sha512-/);
  assert.equal(modulePath(), ["dash"]);
  const refusals = (await d.command(["audit", "ls", "--denied"], { format: "json" })).stdout;
  for (const f of ["u.tgz", "s.tgz", "b.tgz"])
    assert.match(refusals, new RegExp(`install of [^"]*${f.replace(".", "\\.")} refused`));
});

test("refuses a --sha512 mismatch, an sdk range the daemon does not satisfy, a hostile tarball", async () => {
  const good = pkg("g", goodEntries("gee"));
  const wrong = integrityOf(Buffer.from("something else"));
  const mismatch = await install(good, "--sha512", wrong);
  assert.is(mismatch.retval, -22);
  assert.match(mismatch.stderr, /integrity mismatch/);
  const future = pkg("f", [
    { path: "tsmgr.json", body: manifest("fut", "1.0.0", { sdk: ">=2.0.0" }) },
    goodEntries("fut")[1]!,
  ]);
  const sdk = await install(future);
  assert.is(sdk.retval, -22);
  assert.match(sdk.stderr, /fut 1\.0\.0 needs sdk ">=2\.0\.0", and this daemon's sdk is 0\.1\.0/);
  const evil = await install(pkg("e", [...goodEntries("evil"), { path: "../../escaped.ts", body: "x" }]));
  assert.is(evil.retval, -22);
  assert.match(evil.stderr, /climbs out of the package/);
  assert.equal(modulePath(), ["dash"]);
  assert.equal(readdirSync(join(dir, "data", "packages", "staging")), [], "staging folders are removed");
  assert.not.ok(readdirSync(dir).includes("escaped.ts"));
});

test("the CLI makes the package path absolute (against its own folder) before sending it", () => {
  assert.equal(absoluteInstallPath(["module", "install", "--sha512", "sha512-x", "p.tgz", "--upgrade"], "/home/op"), [
    "module",
    "install",
    "--sha512",
    "sha512-x",
    "/home/op/p.tgz",
    "--upgrade",
  ]);
  assert.equal(absoluteInstallPath(["module", "install", "--path", "../p.tgz"], "/home/op"), [
    "module",
    "install",
    "--path",
    "/home/p.tgz",
  ]);
});

test("the daemon refuses a relative path (it would resolve against its own folder)", async () => {
  const r = await install("pkgs/g.tgz");
  assert.is(r.retval, -22);
  assert.match(r.stderr, /"pkgs\/g\.tgz" is not an absolute path/);
});

test("a signature file that is a named pipe is refused at once, not waited on", async () => {
  const path = pkg("piped", goodEntries("piped"), null);
  execFileSync("mkfifo", [path + ".sig"]);
  const r = await install(path);
  assert.is(r.retval < 0, true);
  assert.match(r.stderr, /piped\.tgz\.sig is not a regular file \(a named pipe\)/);
  assert.not.ok(modulePath().includes("piped"), "nothing was installed");
});

test.run();
