// `npm run bench`: measures every figure of the DESIGN targets table (plus companions) with real
// daemons, isolates, files and sockets, and prints a table; `--json` prints one JSON object
// instead. Both are written to bench-results/latest.json. `--only GROUP|FIGURE[,…]` runs a part;
// `--list` names the groups and figures. Chatter goes to stderr.
import { GROUPS } from "./groups.ts";
import { cleanupAll, GroupContext, say, within, type Figure } from "./lib.ts";
import { machine, table, writeLatest, type Report } from "./report.ts";

/** Whole-run limit: past it, remaining groups are skipped (each says so). */
const TOTAL_BUDGET_MS = 330_000;

function usage(): never {
  say("usage: npm run bench [-- [--json] [--only GROUP|FIGURE[,...]] [--list]]");
  process.exit(2);
}

function parseArgs(argv: string[]): { json: boolean; only: string[]; list: boolean } {
  const out = { json: false, only: [] as string[], list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json") out.json = true;
    else if (a === "--list") out.list = true;
    else if (a === "--only") out.only.push(...(argv[++i] ?? usage()).split(","));
    else if (a.startsWith("--only=")) out.only.push(...a.slice(7).split(","));
    else usage();
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const g of GROUPS) say(`${g.name}: ${g.about}\n  ${g.figures.map((f) => f.name).join(", ")}`);
    return;
  }
  // Nothing but the final JSON may reach stdout in --json mode, whatever a library prints.
  if (args.json) console.log = console.info = (...a: unknown[]) => console.error(...a);

  const selected = args.only.length
    ? GROUPS.filter((g) => args.only.some((o) => o === g.name || g.figures.some((f) => f.name === o)))
    : GROUPS;
  if (args.only.length && selected.length === 0) {
    say(`--only ${args.only.join(",")}: no such group or figure (try --list)`);
    process.exit(2);
  }

  const started = performance.now();
  const figures: Figure[] = [];
  for (const g of selected) {
    const ctx = new GroupContext(g.name, g.budgetMs);
    const elapsed = performance.now() - started;
    let failure: string | undefined;
    if (elapsed + 5000 > TOTAL_BUDGET_MS) {
      failure = `skipped: the whole bench ran out of its ${TOTAL_BUDGET_MS / 1000} s budget before this group`;
    } else {
      say(`[${g.name}] ${g.about}`);
      const t0 = performance.now();
      try {
        // loaded here, not imported at the top: a group that no longer loads (say, a runtime/
        // export it uses was renamed) fails alone, with its figures null and the reason.
        const mod = (await import(`./${g.file}`)) as { run(ctx: GroupContext): Promise<void> };
        await within(mod.run(ctx), Math.min(g.budgetMs + 30_000, TOTAL_BUDGET_MS - elapsed), `group ${g.name}`);
      } catch (e) {
        failure = `${(e as Error).message.split("\n")[0]!.slice(0, 300)}`;
        say(`[${g.name}] failed: ${(e as Error).stack ?? String(e)}`);
      }
      await cleanupAll();
      say(`[${g.name}] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const spec of g.figures) {
      const r = ctx.results.get(spec.name);
      const fig: Figure = { ...spec, value: r?.value ?? null };
      const note = r?.note ?? (failure ? `not measured: ${failure}` : "not measured: the group ended without it");
      if (note) fig.note = note;
      figures.push({
        name: fig.name,
        value: fig.value,
        target: fig.target,
        unit: fig.unit,
        better: fig.better,
        ...(fig.note ? { note: fig.note } : {}),
      });
    }
  }

  // --json consumers judge "figures" against their targets; companions travel apart
  const report: Report = {
    machine: machine(),
    figures: figures.filter((f) => f.target !== null),
    details: figures.filter((f) => f.target === null),
  };
  const file = writeLatest(report);
  say(`bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s; written to ${file}`);
  if (args.json) process.stdout.write(JSON.stringify(report) + "\n");
  else process.stdout.write(table(report) + "\n");
}

// A group abandoned at its time limit may still be running when its daemons are stopped: what
// it throws then is reported, not fatal.
process.on("unhandledRejection", (e) =>
  say(`(late error from an abandoned measurement: ${(e as Error)?.message ?? String(e)})`),
);

const onSignal = () => {
  void cleanupAll().finally(() => process.exit(130));
};
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

main()
  .catch((e: Error) => {
    say(`bench failed: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    // esbuild's service, chokidar or a stuck isolate call must not keep the bench alive
    setTimeout(() => process.exit(), 200).unref();
  });
