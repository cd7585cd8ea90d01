// Hand-made tarballs for the refusal tests: headers written field by field (tar's Header), so a
// test can say exactly what lies a package tells (a `../` path, a link, a 10 GB size).
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { Header } from "tar";

export interface RawEntry {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "FIFO";
  body?: string | Buffer;
  /** the size the header claims (defaults to the body's) */
  size?: number;
  linkpath?: string;
}

/** The tar stream (ustar headers, bodies padded to 512, two zero blocks), not gzip'd. */
export function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === "string" ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const h = new Header({
      path: e.path,
      type: e.type ?? "File",
      size: e.size ?? body.length,
      mode: 0o644,
      mtime: new Date(946684800000),
      linkpath: e.linkpath,
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export const tgz = (entries: RawEntry[]) => gzipSync(rawTar(entries));

export const MODULE_SRC = (cls: string, reply: string) => `import { MgrModule } from "@tsmgr/sdk";
export default class ${cls} extends MgrModule {
  static override COMMANDS = [{ cmd: "${cls.toLowerCase()} hi", desc: "says hi", perm: "r" as const }];
  async handleCommand() { return { retval: 0, stdout: ${JSON.stringify(reply)}, stderr: "" }; }
}
`;

export function manifest(name: string, version = "1.0.0", extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name,
    version,
    sdk: "^0.1.0",
    entry: "index.ts",
    description: `the ${name} module`,
    permissions: { data: ["osd_map"] },
    ...extra,
  });
}

/** A good package's entries: tsmgr.json and an index.ts answering `NAME hi` with `reply`. */
export function goodEntries(name: string, version = "1.0.0", reply = `hi from ${version}`): RawEntry[] {
  const cls = name[0]!.toUpperCase() + name.slice(1);
  return [
    { path: "tsmgr.json", body: manifest(name, version) },
    { path: "index.ts", body: MODULE_SRC(cls, reply) },
  ];
}

/** Writes a module source folder (for `module pack DIR`). */
export function writeModuleDir(dir: string, name: string, version = "1.0.0", reply = `hi from ${version}`): string {
  for (const e of goodEntries(name, version, reply)) {
    mkdirSync(dirname(join(dir, e.path)), { recursive: true });
    writeFileSync(join(dir, e.path), e.body!);
  }
  return dir;
}

export function keyPair(): { privatePem: string; publicPem: string; publicRaw: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return {
    privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    publicRaw: Buffer.from(jwk.x!, "base64url").toString("base64"),
  };
}
