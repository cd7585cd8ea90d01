// Integrity strings as npm writes them (`integrity` in package-lock.json): "sha512-" and the
// base64 SHA-512 of the tarball's bytes.
import { createHash, timingSafeEqual } from "node:crypto";
import { PackageError } from "./package-error.ts";

export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

/** Refuses bytes whose integrity is not `expected` (a malformed `expected` is refused too). */
export function checkIntegrity(bytes: Uint8Array, expected: string): void {
  const m = /^sha512-([A-Za-z0-9+/]{86}==)$/.exec(expected.trim());
  if (!m)
    throw new PackageError(
      `--sha512 "${expected}" is not an integrity string: give "sha512-" and 88 base64 characters, as npm's integrity field (tsmgr module pack prints it)`,
    );
  const want = Buffer.from(m[1]!, "base64");
  const got = createHash("sha512").update(bytes).digest();
  if (!timingSafeEqual(want, got))
    throw new PackageError(
      `integrity mismatch: the package is ${integrityOf(bytes)}, --sha512 expected ${expected.trim()}: the file is not the one published (or was altered)`,
    );
}
