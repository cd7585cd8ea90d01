// mgr.json entries for modules that do not exist. The config cannot know what the module folder
// holds when it loads, so the daemon calls this once discovery has the names, and reports each
// message (a health warning or a load error): a `modules.helo` entry is a typo, not a wish.
import { closest } from "../suggest.ts";
import type { Config } from "./types.ts";

/** One message per `modules.NAME` entry that names no known module, with a "did you mean" when one is near. */
export function unknownModuleEntries(cfg: Config, knownNames: Iterable<string>): string[] {
  const known = [...knownNames];
  const has = new Set(known);
  const out: string[] = [];
  const report = (field: string, name: string) => {
    const near = closest(name, known);
    const hint = near
      ? `did you mean ${JSON.stringify(near)}?`
      : known.length > 0
        ? `the modules found are ${known.join(", ")}`
        : "no modules were found";
    out.push(
      `${field}: there is no module ${JSON.stringify(name)} in ${cfg.modulePath}; ${hint} (fix the name in mgr.json or add the module)`,
    );
  };
  for (const name of Object.keys(cfg.modules)) if (!has.has(name)) report(`modules.${name}`, name);
  return out;
}
