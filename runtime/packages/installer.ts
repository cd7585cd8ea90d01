// `module install | rollback`: a package from a file (or a folder, packed first) becomes a module
// folder in the module path. The install is staged in the data dir (unpacked and checked there),
// then moved next to its place in the module path and renamed into it, so the module path never
// holds half a package; the version it replaces is kept in the data dir for `module rollback`.
// Installs run one at a time. Refusals are PackageErrors with the errno the answer carries.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import semver from "semver";
import { Errno } from "../errors.ts";
import { readRegularFile } from "../loader/index.ts";
import { checkIntegrity, integrityOf } from "./integrity.ts";
import { MANIFEST_FILE, parseManifest, type PackageManifest } from "./manifest.ts";
import { moveInto } from "./_move.ts";
import { packDirectory } from "./pack.ts";
import { PackageError } from "./package-error.ts";
import { checkSignature, SIGNATURE_SUFFIX, type TrustPolicy } from "./signature.ts";
import { unpackPackage } from "./unpack.ts";

export interface InstallerDeps {
  modulePath: string;
  dataDir: string;
  sdkVersion: string;
  trust: TrustPolicy;
  maxBytes(): number;
  /** whether the daemon knows a module of this name (discovered, running or not) */
  known(name: string): boolean;
  /** after the module path changed: rescan it and restart the module if it runs */
  refresh(name: string): Promise<void>;
  /** the trust decision, for the audit log */
  audit(module: string, allowed: boolean, key: string, detail: string): Promise<void>;
}

export interface InstallRequest {
  /** absolute path of a .tgz (its signature beside it as PATH.sig) or of a module folder */
  path: string;
  sha512?: string;
  upgrade?: boolean;
}

export interface InstallResult {
  name: string;
  version: string;
  /** the version replaced (kept for rollback), or null */
  previous: string | null;
  integrity: string;
  signer: string | null;
  signature: string;
  files: number;
}

export class PackageInstaller {
  readonly #d: InstallerDeps;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: InstallerDeps) {
    this.#d = deps;
  }

  install(req: InstallRequest): Promise<InstallResult> {
    return this.#serial(() => this.#install(req));
  }

  rollback(name: string): Promise<{ name: string; version: string | null; replaced: string | null }> {
    return this.#serial(() => this.#rollback(name));
  }

  #serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(f, f);
    this.#queue = run.catch(() => {});
    return run;
  }

  get #root(): string {
    return join(this.#d.dataDir, "packages");
  }

  async #install(req: InstallRequest): Promise<InstallResult> {
    let stage: string | undefined;
    let name = basename(req.path);
    try {
      const { bytes, sig } = await this.#read(req.path);
      if (req.sha512 !== undefined) checkIntegrity(bytes, req.sha512);
      const trust = checkSignature(bytes, sig, this.#d.trust);
      mkdirSync(join(this.#root, "staging"), { recursive: true, mode: 0o700 });
      stage = mkdtempSync(join(this.#root, "staging", "pkg-"));
      const unpacked = await unpackPackage(bytes, stage, this.#d.maxBytes());
      const manifest = this.#checkStaged(stage, unpacked.files);
      name = manifest.name;
      const previous = this.#replace(name, stage, req.upgrade === true);
      stage = undefined;
      const integrity = integrityOf(bytes);
      await this.#d.audit(
        name,
        true,
        trust.signer ?? "unsigned",
        `installed ${name} ${manifest.version} (${integrity}; ${trust.status})`,
      );
      await this.#d.refresh(name);
      return {
        name,
        version: manifest.version,
        previous,
        integrity,
        signer: trust.signer ?? null,
        signature: trust.status,
        files: unpacked.files.length,
      };
    } catch (e) {
      if (e instanceof PackageError)
        await this.#d.audit(name, false, "-", `install of ${req.path} refused: ${e.message}`);
      throw e;
    } finally {
      if (stage) rmSync(stage, { recursive: true, force: true });
    }
  }

  /** The package's bytes (a folder is packed) and its signature file's text, if any. */
  async #read(path: string): Promise<{ bytes: Buffer; sig: string | undefined }> {
    if (!isAbsolute(path))
      throw new PackageError(
        `"${path}" is not an absolute path: the daemon reads the package itself (tsmgr module install makes the path absolute)`,
      );
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      throw new PackageError(
        `cannot read the package ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
        Errno.ENOENT,
      );
    }
    const max = this.#d.maxBytes();
    if (st.isDirectory()) return { bytes: (await packDirectory(path, max)).bytes, sig: undefined };
    if (!st.isFile()) throw new PackageError(`${path} is not a regular file or a folder`);
    if (st.size > max) throw new PackageError(`${path} is ${st.size} bytes: more than limits.packageMaxBytes (${max})`);
    // read as the loader reads module files: off the daemon's thread, never blocking on a file
    // swapped for a pipe after the stat above
    const regular = (file: string, limit: number) =>
      readRegularFile(file, limit).catch((e: Error) => Promise.reject(new PackageError(e.message)));
    const bytes = await regular(path, max);
    const sigPath = path + SIGNATURE_SUFFIX;
    const sig = existsSync(sigPath) ? (await regular(sigPath, 64 * 1024)).toString("utf8") : undefined;
    return { bytes, sig };
  }

  /** The staged tree's manifest, checked: sdk range, entry file; writes index.ts when the entry is elsewhere. */
  #checkStaged(stage: string, files: string[]): PackageManifest {
    if (!files.includes(MANIFEST_FILE))
      throw new PackageError(`the package has no ${MANIFEST_FILE} at its root: build it with tsmgr module pack DIR`);
    const m = parseManifest(readFileSync(join(stage, MANIFEST_FILE), "utf8"));
    if (!semver.satisfies(this.#d.sdkVersion, m.sdk, { includePrerelease: true })) {
      throw new PackageError(
        `${m.name} ${m.version} needs sdk "${m.sdk}", and this daemon's sdk is ${this.#d.sdkVersion}: install a version of ${m.name} made for sdk ${this.#d.sdkVersion} (or upgrade tsmgr)`,
      );
    }
    if (!files.includes(m.entry)) throw new PackageError(`${MANIFEST_FILE}: entry "${m.entry}" is not in the package`);
    if (m.entry !== "index.ts") {
      if (files.includes("index.ts"))
        throw new PackageError(
          `${MANIFEST_FILE}: entry is "${m.entry}" but the package also has an index.ts: make index.ts the entry, or remove it`,
        );
      // the module path loads NAME/index.ts: a two-line index.ts re-exports the declared entry
      writeFileSync(
        join(stage, "index.ts"),
        `export * from "./${m.entry}";\nexport { default } from "./${m.entry}";\n`,
        { flag: "wx" },
      );
    }
    return m;
  }

  /** Where a module of this name lives now: NAME/ or NAME.ts in the module path, or undefined. */
  #current(name: string): string | undefined {
    for (const p of [join(this.#d.modulePath, name), join(this.#d.modulePath, `${name}.ts`)]) {
      try {
        lstatSync(p);
        return p;
      } catch {
        // not this form
      }
    }
    return undefined;
  }

  /** Swaps the staged tree in for NAME; returns the replaced version (kept in the data dir), or null. */
  #replace(name: string, stage: string, upgrade: boolean): string | null {
    const current = this.#current(name);
    if ((current || this.#d.known(name)) && !upgrade) {
      const v = current ? versionAt(current) : null;
      throw new PackageError(
        `module "${name}"${v ? ` (version ${v})` : ""} already exists: pass --upgrade to replace it (the current version is kept for tsmgr module rollback ${name})`,
        Errno.EEXIST,
      );
    }
    const mp = this.#d.modulePath;
    const incoming = join(mp, `.tsmgr-incoming-${name}`);
    rmSync(incoming, { recursive: true, force: true });
    moveInto(stage, incoming);
    let previous: string | null = null;
    if (current) {
      const outgoing = join(mp, `.tsmgr-outgoing-${basename(current)}`);
      rmSync(outgoing, { recursive: true, force: true });
      moveInto(current, outgoing);
      moveInto(incoming, join(mp, name));
      previous = versionAt(outgoing) ?? "unversioned";
      this.#keepPrevious(name, outgoing, basename(current));
    } else moveInto(incoming, join(mp, name));
    return previous;
  }

  /** Keeps `from` as NAME's previous version (one only: an older previous is deleted). */
  #keepPrevious(name: string, from: string, as: string): void {
    const dir = join(this.#root, "previous", name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    moveInto(from, join(dir, as));
  }

  async #rollback(name: string): Promise<{ name: string; version: string | null; replaced: string | null }> {
    const dir = join(this.#root, "previous", name);
    const kept = existsSync(dir) ? readdirSync(dir).filter((f) => f === name || f === `${name}.ts`) : [];
    if (kept.length !== 1)
      throw new PackageError(
        `module "${name}" has no previous version to roll back to: module install --upgrade keeps one`,
        Errno.ENOENT,
      );
    const mp = this.#d.modulePath;
    const current = this.#current(name);
    let replaced: string | null = null;
    let outgoing: string | undefined;
    if (current) {
      outgoing = join(mp, `.tsmgr-outgoing-${basename(current)}`);
      rmSync(outgoing, { recursive: true, force: true });
      moveInto(current, outgoing);
      replaced = versionAt(outgoing);
    }
    const back = join(dir, kept[0]!);
    const version = versionAt(back);
    moveInto(back, join(mp, kept[0]!));
    // the version rolled back from becomes the previous one: a second rollback undoes the first
    if (outgoing && current) this.#keepPrevious(name, outgoing, basename(current));
    else rmSync(dir, { recursive: true, force: true });
    await this.#d.refresh(name);
    return { name, version, replaced };
  }
}

/** The version in a module folder's tsmgr.json, or null (a hand-written module has none). */
function versionAt(path: string): string | null {
  try {
    return parseManifest(readFileSync(join(path, MANIFEST_FILE), "utf8")).version;
  } catch {
    return null;
  }
}
