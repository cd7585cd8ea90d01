// Unpacks a package (gzip'd tar) into an empty staging folder, refusing anything that is not a
// plain tree of regular files and folders. Nothing is trusted from the archive: every path is
// checked (no absolute paths, no `..`, no backslashes or control characters), links, devices and
// special entries are refused, sizes are checked against the header BEFORE any byte is written
// and counted again while the data streams (a header can lie), the decompressed stream itself is
// bounded (a gzip bomb stops at the bound), and each file is created with O_EXCL | O_NOFOLLOW
// inside the staging folder only.
import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { isInside } from "../loader/discover.ts";
import { PackageError } from "./package-error.ts";

/** Entries one package may hold (each costs an inode and a header). */
export const MAX_ENTRIES = 10_000;
const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface Unpacked {
  /** regular files written, relative to the staging folder, in archive order */
  files: string[];
  /** their bytes in total */
  bytes: number;
}

/** The entry's path relative to the package root ("" for the root itself), or a PackageError. */
export function checkedPath(path: string): string {
  const shown = JSON.stringify(path);
  if (path.length > 1024) throw new PackageError(`entry path ${shown.slice(0, 80)}… is longer than 1024 characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path))
    throw new PackageError(`entry path ${shown} holds control characters: refused`);
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path))
    throw new PackageError(`entry ${shown} has an absolute path: package entries must be relative to the package root`);
  if (path.includes("\\")) throw new PackageError(`entry ${shown} holds a backslash: use / between folders`);
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes(".."))
    throw new PackageError(`entry ${shown} climbs out of the package with "..": refused (path traversal)`);
  return parts.join("/");
}

function kindOf(type: string): string {
  const kinds: Record<string, string> = {
    SymbolicLink: "symbolic link",
    Link: "hard link",
    CharacterDevice: "character device",
    BlockDevice: "block device",
    FIFO: "FIFO",
  };
  return kinds[type] ?? `"${type}" entry`;
}

// long: one stream pipeline (gunzip → tar parser → files) whose handlers share the failure state and counters
/**
 * Unpacks `tgz` into `dest` (an empty folder). The files' bytes may not exceed `maxBytes`, nor
 * the decompressed tar stream twice that (headers and padding included); rejects with a
 * PackageError naming the entry and what was wrong.
 */
/**
 * Where a tar entry may be written (undefined for a folder, made here), or a PackageError: only
 * regular files and folders, inside the package, within limits.packageMaxBytes.
 */
function entryTarget(
  entry: ReadEntry,
  root: string,
  maxBytes: number,
  used: number,
): { rel: string; target: string } | undefined {
  const rel = checkedPath(entry.path);
  if (entry.type === "Directory") {
    if (rel !== "") mkdirSync(join(root, rel), { recursive: true });
    return undefined;
  }
  if (!FILE_TYPES.has(entry.type))
    throw new PackageError(
      `entry ${JSON.stringify(entry.path)} is a ${kindOf(entry.type)}: packages hold only regular files and folders`,
    );
  if (rel === "") throw new PackageError(`a file entry names the package root (${JSON.stringify(entry.path)})`);
  if (entry.size > maxBytes - used)
    throw new PackageError(
      `entry ${JSON.stringify(entry.path)} claims ${entry.size} bytes: the package would unpack to more than limits.packageMaxBytes (${maxBytes} bytes)`,
    );
  const target = join(root, rel);
  if (!isInside(root, target))
    throw new PackageError(`entry ${JSON.stringify(entry.path)} lands outside the package: refused`);
  return { rel, target };
}

// long: one streaming pipeline (gunzip → tar parser → files) whose handlers share the byte counts
// and the failure flag; split apart they would pass all of that state around
export function unpackPackage(tgz: Uint8Array, dest: string, maxBytes: number): Promise<Unpacked> {
  if (tgz.length < 2 || tgz[0] !== 0x1f || tgz[1] !== 0x8b)
    return Promise.reject(
      new PackageError("the package is not a gzip file (.tgz): build one with tsmgr module pack DIR"),
    );
  const root = resolve(dest);
  const streamMax = 2 * maxBytes + 64 * 1024;
  const out: Unpacked = { files: [], bytes: 0 };
  const open = new Set<number>();
  let entries = 0;
  let streamed = 0;

  // long: the pipeline itself (see above)
  return new Promise<Unpacked>((resolveP, reject) => {
    let failed = false;
    const gunzip = createGunzip();
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      for (const fd of open) closeSync(fd);
      open.clear();
      reject(
        e instanceof PackageError
          ? e
          : new PackageError(`the package is not a valid tar archive: ${(e as Error).message}`),
      );
    };

    const onEntry = (entry: ReadEntry) => {
      if (++entries > MAX_ENTRIES)
        throw new PackageError(`the package holds more than ${MAX_ENTRIES} entries: refused`);
      const checked = entryTarget(entry, root, maxBytes, out.bytes);
      if (checked === undefined) {
        entry.resume(); // a folder: made where it stands
        return;
      }
      const { rel, target } = checked;
      mkdirSync(dirname(target), { recursive: true });
      let fd: number;
      try {
        fd = openSync(target, CREATE, 0o644);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new PackageError(
          code === "EEXIST"
            ? `entry ${JSON.stringify(entry.path)} appears twice in the package: refused`
            : `entry ${JSON.stringify(entry.path)} cannot be written: ${(e as Error).message}`,
        );
      }
      open.add(fd);
      out.files.push(rel);
      entry.on("data", (chunk: Buffer) => {
        if (failed) return;
        out.bytes += chunk.length;
        // the header's size was checked; the data is counted again in case the parser believes a lie
        if (out.bytes > maxBytes)
          return fail(
            new PackageError(`the package unpacks to more than limits.packageMaxBytes (${maxBytes} bytes): refused`),
          );
        writeSync(fd, chunk);
      });
      entry.on("end", () => {
        if (open.delete(fd)) closeSync(fd);
      });
    };

    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        if (failed) return void entry.resume();
        try {
          onEntry(entry);
        } catch (e) {
          entry.resume();
          fail(
            e instanceof PackageError
              ? e
              : new PackageError(`entry ${JSON.stringify(entry.path)} cannot be unpacked: ${(e as Error).message}`),
          );
        }
      },
    });
    parser.on("error", fail);
    parser.on("end", () => {
      if (!failed) resolveP(out);
    });
    gunzip.on("data", (chunk: Buffer) => {
      if (failed) return;
      streamed += chunk.length;
      if (streamed > streamMax)
        return fail(
          new PackageError(
            `the package decompresses to more than ${streamMax} bytes (twice limits.packageMaxBytes): refused as a gzip bomb`,
          ),
        );
      parser.write(chunk);
    });
    gunzip.on("end", () => {
      if (!failed) parser.end();
    });
    gunzip.on("error", (e) =>
      fail(new PackageError(`the package's gzip data is truncated or corrupt (${e.message}): fetch the file again`)),
    );
    gunzip.end(tgz);
  });
}
