// `tsmgr module pack DIR`: a package from a module folder, deterministic (the same tree gives the
// same bytes, so its integrity can be published and checked): entries sorted, fixed mtimes, no
// owner names or ids, gzip without a timestamp. Refuses what an install would refuse (links,
// special files, too many bytes) and a missing or invalid tsmgr.json.
import { lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { create } from "tar";
import { MANIFEST_FILE, parseManifest, type PackageManifest } from "./manifest.ts";
import { PackageError } from "./package-error.ts";
import { MAX_ENTRIES } from "./unpack.ts";

/** Every entry's mtime: 2000-01-01, a fixed date rather than 1970 (some tools treat 0 as "unset"). */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");
/** Names never packed: version control, dependencies, editor leftovers, signatures. */
const SKIPPED = (name: string) =>
  name.startsWith(".") ||
  name === "node_modules" ||
  name.endsWith("~") ||
  name.endsWith(".tgz") ||
  name.endsWith(".sig");

export interface Packed {
  bytes: Buffer;
  manifest: PackageManifest;
  /** paths in the archive, in order */
  entries: string[];
}

/** Paths under `root` (relative, sorted, folders before their contents), refusing links and special files. */
function walk(root: string, rel: string, out: string[], size: { bytes: number }, maxBytes: number): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    if (SKIPPED(name)) continue;
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    if (st.isSymbolicLink())
      throw new PackageError(
        `${path} is a symbolic link: packages hold only regular files and folders (copy the file in)`,
      );
    if (st.isDirectory()) {
      out.push(path + "/");
      walk(root, path, out, size, maxBytes);
    } else if (st.isFile()) {
      if (st.nlink > 1)
        throw new PackageError(`${path} has ${st.nlink} hard links: packages hold only plain files (copy it)`);
      out.push(path);
      size.bytes += st.size;
    } else throw new PackageError(`${path} is not a regular file or folder: refused`);
    if (out.length > MAX_ENTRIES) throw new PackageError(`more than ${MAX_ENTRIES} files and folders: refused`);
    if (size.bytes > maxBytes)
      throw new PackageError(`the files add up to more than limits.packageMaxBytes (${maxBytes} bytes)`);
  }
}

export async function packDirectory(dir: string, maxBytes: number): Promise<Packed> {
  let root: string;
  try {
    root = realpathSync(dir);
    if (!lstatSync(root).isDirectory()) throw new Error("not a folder");
  } catch (e) {
    throw new PackageError(`cannot pack ${dir}: ${(e as Error).message}`);
  }
  let manifestText: string;
  try {
    manifestText = readFileSync(join(root, MANIFEST_FILE), "utf8");
  } catch {
    throw new PackageError(
      `${dir} has no ${MANIFEST_FILE}: write one with name, version, sdk (a semver range), entry and permissions`,
    );
  }
  const manifest = parseManifest(manifestText);
  const entries: string[] = [];
  walk(root, "", entries, { bytes: 0 }, maxBytes);
  if (!entries.includes(manifest.entry))
    throw new PackageError(`${MANIFEST_FILE}: entry "${manifest.entry}" is not a file in ${dir}`);
  const chunks: Buffer[] = [];
  const tar = create({ cwd: root, portable: true, mtime: FIXED_MTIME, noDirRecurse: true, noPax: false }, entries);
  for await (const c of tar) chunks.push(Buffer.from(c as Uint8Array));
  return { bytes: gzipSync(Buffer.concat(chunks), { level: 9 }), manifest, entries };
}
