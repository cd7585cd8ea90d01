// The option names a ceph.conf sets for our client: its [global], [client] and [client.NAME]
// sections, spelled as Ceph spells options (spaces and dashes are underscores to Ceph).
import { readFileSync } from "node:fs";

export function readConfNames(confPath: string, entityName: string): string[] {
  let text: string;
  try {
    text = readFileSync(confPath, "utf8");
  } catch {
    return [];
  }
  const wanted = new Set(["global", "client", entityName]);
  const names = new Set<string>();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (!line) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0 || !wanted.has(section)) continue;
    names.add(
      line
        .slice(0, eq)
        .trim()
        .replace(/[\s-]+/g, "_"),
    );
  }
  return [...names];
}
