// Reads a module's files, which must be regular files. Opening a named pipe blocks until a
// writer comes (the main thread with readFileSync; a libuv pool thread, which process exit
// then waits for, with readFile), and a device such as /dev/zero never ends: either froze the
// daemon group. So: stat first (a stat never opens), open non-blocking, fstat the descriptor
// (the path can be swapped between the two), and read no more than the size fstat gave.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { ModuleLoadError } from "../errors.ts";

/** No module source is this large; a bigger file is refused rather than read into memory. */
export const MAX_MODULE_FILE_BYTES = 16 * 1024 * 1024;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function kindOf(s: Stats): string {
  if (s.isFIFO()) return "a named pipe";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  if (s.isSocket()) return "a socket";
  if (s.isDirectory()) return "a directory";
  return "not a regular file";
}

/** Throws unless `s` is a regular file of at most `maxBytes`. */
export function checkRegular(file: string, s: Stats, maxBytes = MAX_MODULE_FILE_BYTES): void {
  if (!s.isFile())
    throw new ModuleLoadError(
      `${file} is not a regular file (${kindOf(s)}): module files must be regular files; replace it with one`,
    );
  if (s.size > maxBytes) throw new ModuleLoadError(`${file} is ${s.size} bytes: the limit is ${maxBytes} bytes`);
}

/** The content of a regular file, read without ever blocking on a pipe or device. */
export function readRegularFileSync(file: string): Buffer {
  checkRegular(file, statSync(file));
  const fd = openSync(file, OPEN_FLAGS);
  try {
    const s = fstatSync(fd);
    checkRegular(file, s);
    const buf = Buffer.allocUnsafe(s.size);
    let n = 0;
    while (n < s.size) {
      const got = readSync(fd, buf, n, s.size - n, n);
      if (got === 0) break; // truncated meanwhile: what is there is what we read
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync off the main thread (the open is non-blocking, so no pool thread hangs). */
export async function readRegularFile(file: string, maxBytes = MAX_MODULE_FILE_BYTES): Promise<Buffer> {
  checkRegular(file, await stat(file), maxBytes);
  const h = await open(file, OPEN_FLAGS);
  try {
    const s = await h.stat();
    checkRegular(file, s, maxBytes);
    const buf = Buffer.allocUnsafe(s.size);
    let n = 0;
    while (n < s.size) {
      const { bytesRead } = await h.read(buf, n, s.size - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await h.close();
  }
}
