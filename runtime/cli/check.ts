// `tsmgr check [NAME|PATH]`: what the daemon would say about a module, before it runs it. It
// type-checks the module against the SDK alone (no Node types), bundles it as the daemon does,
// reads its COMMANDS/MODULE_OPTIONS/NOTIFY_TYPES from a real isolate and validates them as the
// daemon does, and lists the grants its source likely needs. Loaded outside the client bundle
// (it needs TypeScript, esbuild and isolated-vm).
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { formatUsage } from "../commands/index.ts";
import { defaultModuleConfig, type Config } from "../config/index.ts";
import { checkMeta, type CheckedMeta } from "../daemon/module-meta.ts";
import { Errno } from "../errors.ts";
import { discoverModules, displayPath, ModuleBuilder, type Bundle } from "../loader/index.ts";
import { ModuleSandbox } from "../sandbox/index.ts";
import { builtinHelp } from "./builtin-help.ts";
import { likelyGrants, type Grant } from "./likely-grants.ts";
import { formatProblem, typecheck } from "./typecheck.ts";

export interface CheckOutput {
  code: number;
  out: string[];
  err: string[];
}

interface Target {
  name: string;
  entry: string;
  modulePath: string;
}

/** A path as the user gave it: relative to the working folder when inside it, else absolute. */
const shown = (f: string) => {
  const rel = relative(process.cwd(), f);
  return rel && !rel.startsWith("..") ? rel : f;
};

/** NAME (in the module path), a PATH to NAME.ts or NAME/index.ts, or every module. */
function targets(arg: string | undefined, cfg: Config): Target[] | string {
  if (arg === undefined)
    return discoverModules(cfg.modulePath).modules.map((m) => ({ ...m, modulePath: cfg.modulePath }));
  if (!arg.includes("/") && !arg.endsWith(".ts")) {
    const m = discoverModules(cfg.modulePath).modules.find((e) => e.name === arg);
    return m
      ? [{ ...m, modulePath: cfg.modulePath }]
      : `no module ${JSON.stringify(arg)} in ${shown(cfg.modulePath)} (${shown(cfg.modulePath)}/${arg}.ts or ${arg}/index.ts): tsmgr new ${arg} writes one`;
  }
  const p = resolve(arg);
  if (!existsSync(p)) return `${arg}: no such file or folder`;
  const entry = statSync(p).isDirectory() ? resolve(p, "index.ts") : p;
  if (!existsSync(entry)) return `${arg}: a module folder needs an index.ts`;
  const isIndex = basename(entry) === "index.ts";
  const name = isIndex ? basename(dirname(entry)) : basename(entry, ".ts");
  return [{ name, entry, modulePath: isIndex ? dirname(dirname(entry)) : dirname(entry) }];
}

/** The statics as the daemon reads them: from the bundle, run in a real isolate. */
async function readMeta(t: Target, bundle: Bundle, cfg: Config): Promise<CheckedMeta> {
  const sandbox = await ModuleSandbox.create({
    name: t.name,
    role: "active",
    bundle,
    displayPath: (src) => displayPath(t.modulePath, resolve("/tsmgr", src)),
    memoryMb: cfg.limits.memoryMb,
    callTimeoutMs: cfg.limits.callTimeoutMs,
    maxTimers: cfg.limits.maxTimers,
    host: {},
    onFatal: () => {},
    onTimerError: () => {},
  });
  try {
    return checkMeta(t.name, displayPath(t.modulePath, t.entry), sandbox.meta);
  } finally {
    sandbox.dispose();
  }
}

/** A module's command whose words a built-in owns (the daemon would refuse to load it). */
function builtinClash(meta: CheckedMeta): string | undefined {
  const builtins = ["daemon", ...builtinHelp().map((e) => e.prefix)];
  for (const c of meta.commands) {
    const p = c.signature.prefix.join(" ");
    const hit = builtins.find((b) => b === p || b.startsWith(p + " ") || p.startsWith(b + " "));
    if (hit)
      return `command "${p}" takes the words of the built-in "${hit}": start the module's commands with its name`;
  }
  return undefined;
}

function describe(t: Target, meta: CheckedMeta, grants: Grant[], cfg: Config): string[] {
  const out = [`  commands:${meta.commands.length ? "" : " none"}`];
  for (const c of meta.commands) out.push(`    ${formatUsage(c.signature)}  (perm ${c.perm})`);
  out.push(
    `  options:${meta.options.length ? " " + meta.options.map((o) => `${o.name} (${o.type ?? "str"}${o.default === undefined ? "" : `, default ${JSON.stringify(o.default)}`})`).join(", ") : " none"}`,
  );
  out.push(`  notify types: ${[...meta.notifyTypes].join(", ") || "none"}`);
  out.push(`  standby class: ${meta.hasStandby ? "yes" : "no"}`);
  if (!grants.length)
    return [...out, "  likely needs: no grants (found no sendCommand, serveHttp or restricted data in its source)"];
  out.push("  likely needs (a scan of its source: a hint, not a proof):");
  const section = Object.hasOwn(cfg.modules, t.name) ? cfg.modules[t.name]! : defaultModuleConfig();
  for (const g of grants) {
    const granted = g.granted(section.allow);
    out.push(
      `    modules.${t.name}.allow.${g.key}: ${g.what}  ${granted ? "(granted)" : `(not granted in ${cfg.file ? shown(cfg.file) : "mgr.json"})`}`,
    );
  }
  return out;
}

async function checkOne(t: Target, cfg: Config): Promise<CheckOutput> {
  const label = displayPath(t.modulePath, t.entry);
  const problems = typecheck([t.entry]);
  if (problems.length)
    return {
      code: Errno.EINVAL,
      out: [],
      err: [
        ...problems.map((p) => formatProblem(p, shown)),
        `${label}: ${problems.length} type error${problems.length > 1 ? "s" : ""}`,
      ],
    };
  const builder = new ModuleBuilder(t.name, t.entry, t.modulePath);
  let bundle: Bundle;
  try {
    bundle = await builder.build();
  } catch (e) {
    return {
      code: Errno.EINVAL,
      out: [],
      err: [(e as Error).message, ...((e as { frame?: string }).frame ? [(e as { frame?: string }).frame!] : [])],
    };
  } finally {
    await builder.dispose();
  }
  let meta: CheckedMeta;
  try {
    meta = await readMeta(t, bundle, cfg);
  } catch (e) {
    return { code: Errno.EINVAL, out: [], err: [(e as Error).message] };
  }
  const clash = builtinClash(meta);
  if (clash) return { code: Errno.EINVAL, out: [], err: [`${label}: ${clash}`] };
  const sources = bundle.inputs
    .filter((f) => !f.includes("/sdk/") && f.endsWith(".ts"))
    .map((f) => readFileSync(f, "utf8"));
  const head = `${label}: ok (type-checked, bundled ${(bundle.code.length / 1024).toFixed(1)} KiB, version ${bundle.version.slice(0, 12)})`;
  return { code: 0, out: [head, ...describe(t, meta, likelyGrants(sources), cfg)], err: [] };
}

export async function runCheck(arg: string | undefined, cfg: Config): Promise<CheckOutput> {
  const list = targets(arg, cfg);
  if (typeof list === "string") return { code: Errno.ENOENT, out: [], err: [`tsmgr check: ${list}`] };
  if (!list.length)
    return { code: Errno.ENOENT, out: [], err: [`tsmgr check: no modules in ${shown(cfg.modulePath)}`] };
  const all: CheckOutput = { code: 0, out: [], err: [] };
  for (const t of list) {
    const r = await checkOne(t, cfg);
    all.out.push(...r.out);
    all.err.push(...r.err);
    if (r.code) all.code = r.code;
  }
  return all;
}
