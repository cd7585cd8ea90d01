// The package commands the CLI runs itself, without a daemon: `module pack DIR [--out FILE]`
// builds a package, `module sign PKG --key FILE` writes PKG.sig. And for `module install`, the
// package's path made absolute: the daemon reads the file itself (packages can be far larger
// than a command's 1 MiB request), so a relative path must not be resolved against ITS folder.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { Errno } from "../errors.ts";
import { integrityOf, packDirectory, PackageError, signPackage, SIGNATURE_SUFFIX } from "../packages/index.ts";

export interface PackageCliResult {
  retval: number;
  stdout: string;
  stderr: string;
}

/** `module install` words with the package path absolute (positional, path=X, --path X). */
export function absoluteInstallPath(words: readonly string[], cwd = process.cwd()): string[] {
  const out = [...words];
  for (let i = 2; i < out.length; i++) {
    const w = out[i]!;
    if (w === "--sha512") i++;
    else if (w === "--path" && i + 1 < out.length) return ((out[i + 1] = resolve(cwd, out[i + 1]!)), out);
    else if (w.startsWith("--path=")) return ((out[i] = `--path=${resolve(cwd, w.slice(7))}`), out);
    else if (w.startsWith("path=")) return ((out[i] = `path=${resolve(cwd, w.slice(5))}`), out);
    else if (!w.startsWith("--")) return ((out[i] = resolve(cwd, w)), out);
  }
  return out;
}

/** `--name VALUE` (or --name=VALUE) out of `words`; the other words. */
function option(words: string[], name: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === `--${name}`) value = words[++i];
    else if (w.startsWith(`--${name}=`)) value = w.slice(name.length + 3);
    else rest.push(w);
  }
  return { value, rest };
}

const usage = (text: string): PackageCliResult => ({ retval: -Errno.EINVAL, stdout: "", stderr: text });

async function pack(args: string[], maxBytes: number, json: boolean): Promise<PackageCliResult> {
  const { value: outFile, rest } = option(args, "out");
  if (rest.length !== 1) return usage("usage: tsmgr module pack DIR [--out FILE]");
  const p = await packDirectory(resolve(rest[0]!), maxBytes);
  const file = resolve(outFile ?? `${p.manifest.name}-${p.manifest.version}.tgz`);
  writeFileSync(file, p.bytes);
  const integrity = integrityOf(p.bytes);
  const data = {
    file,
    name: p.manifest.name,
    version: p.manifest.version,
    integrity,
    size: p.bytes.length,
    entries: p.entries,
  };
  return {
    retval: 0,
    stdout: json
      ? JSON.stringify(data)
      : `${file}\n${p.entries.length} entries, ${p.bytes.length} bytes\nintegrity ${integrity}`,
    stderr: "",
  };
}

function sign(args: string[], json: boolean): PackageCliResult {
  const { value: keyFile, rest } = option(args, "key");
  if (rest.length !== 1 || !keyFile)
    return usage(
      "usage: tsmgr module sign PKG.tgz --key PRIVATE-KEY.pem (an ed25519 key: openssl genpkey -algorithm ed25519 -out key.pem)",
    );
  const pkg = resolve(rest[0]!);
  const sig = signPackage(readFileSync(pkg), readFileSync(resolve(keyFile), "utf8"));
  const sigFile = pkg + SIGNATURE_SUFFIX;
  writeFileSync(sigFile, sig);
  const keyId = (JSON.parse(sig) as { keyId: string }).keyId;
  return {
    retval: 0,
    stdout: json ? JSON.stringify({ file: sigFile, keyId }) : `signed ${basename(pkg)} with key ${keyId}: ${sigFile}`,
    stderr: "",
  };
}

/** Runs `module pack | sign`; file and package errors become the answer's stderr. */
export async function runPackageCommand(
  words: readonly string[],
  maxBytes: number,
  json: boolean,
): Promise<PackageCliResult> {
  try {
    return words[1] === "pack" ? await pack(words.slice(2), maxBytes, json) : sign(words.slice(2), json);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof PackageError)
      return { retval: -e.errno, stdout: "", stderr: `tsmgr module ${words[1]}: ${e.message}` };
    if (e instanceof TypeError || err.code !== undefined)
      return {
        retval: -(err.code === "ENOENT" ? Errno.ENOENT : Errno.EINVAL),
        stdout: "",
        stderr: `tsmgr module ${words[1]}: ${err.message}`,
      };
    throw e;
  }
}
