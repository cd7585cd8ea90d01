// `npm test` runs this first: the boundaries the code keeps, checked on its import graph.
// Prints one line per violation as `file:line imports X: rule` and exits 1 when there is any.
//   - sdk/ and modules/ import nothing from runtime/ (they run inside isolates)
//   - backends (cluster/, store/, election/, etcd/) and commands/ never import the sandbox, the
//     host API, the daemon's wiring or the transports
//   - watch/ gets the small interface it needs, never daemon/
//   - the real Ceph backend and the simulator never import each other; no backend imports another
//   - no import cycle between files (type-only imports count: they tie files together for a reader)
//   - no function in runtime/ over 80 lines unless a comment right above it says why ("long: ...")
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_FUNCTION_LINES = 80;

type Rule = { from: RegExp; to: RegExp; why: string };
const RULES: Rule[] = [
  { from: /^(sdk|modules)$/, to: /^runtime/, why: "sdk/ and modules/ run inside isolates: they never import runtime/" },
  {
    from: /^runtime\/(cluster|store|election|etcd|commands)/,
    to: /^runtime\/(sandbox|api|daemon|watch|cli|http|loader)$/,
    why: "backends and commands never import the sandbox, the host API, the wiring or the transports",
  },
  { from: /^runtime\/watch$/, to: /^runtime\/daemon$/, why: "watch/ gets the small interface it needs, never daemon/" },
  {
    from: /^runtime\/cluster\/ceph$/,
    to: /^runtime\/cluster\/sim$/,
    why: "the real Ceph backend never imports the simulator (shared code lives in cluster/)",
  },
  {
    from: /^runtime\/cluster\/sim$/,
    to: /^runtime\/cluster\/ceph$/,
    why: "the simulator never imports the real Ceph backend",
  },
  {
    from: /^runtime\/(store|election)\/etcd$/,
    to: /^runtime\/(store|election)\/(etcd|sqlite)$/,
    why: "one backend never imports another (shared etcd code lives in runtime/etcd/)",
  },
  {
    from: /^runtime\/(store|election)\/sqlite$/,
    to: /^runtime\/(store|election)\/(etcd|sqlite)$/,
    why: "one backend never imports another",
  },
];

/** The part of the tree a file belongs to, as the rules name them. */
function partOf(file: string): string {
  if (file.startsWith("sdk/")) return "sdk";
  if (file.startsWith("modules/")) return "modules";
  const backend = /^runtime\/(cluster\/(?:sim|ceph)|(?:store|election)\/(?:etcd|sqlite))/.exec(
    file.replace(/\.ts$/, ""),
  );
  if (backend) return `runtime/${backend[1]}`;
  const m = /^runtime\/([^/]+)\//.exec(file);
  return m ? `runtime/${m[1]}` : "runtime";
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (name === "node_modules" || name.startsWith(".") || name === "fixtures") continue;
    if (statSync(join(ROOT, rel)).isDirectory()) sourceFiles(rel, out);
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = relative(ROOT, resolve(ROOT, dirname(from), spec));
  return [base, `${base}.ts`, base.replace(/\.js$/, ".ts"), `${base}/index.ts`].find(
    (p) => existsSync(join(ROOT, p)) && statSync(join(ROOT, p)).isFile(),
  );
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

function check(files: string[]): { findings: Finding[]; edges: Map<string, Set<string>> } {
  const findings: Finding[] = [];
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
    const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const visit = (n: ts.Node): void => {
      const spec = importSpecifier(n);
      if (spec?.startsWith(".")) {
        const target = resolveImport(file, spec) ?? relative(ROOT, resolve(ROOT, dirname(file), spec));
        const [from, to] = [partOf(file), partOf(target)];
        for (const r of RULES)
          if (from !== to && r.from.test(from) && r.to.test(to))
            findings.push({ file, line: lineOf(n), text: `imports ${spec}: ${r.why}` });
        if (existsSync(join(ROOT, target))) (edges.get(file) ?? edges.set(file, new Set()).get(file)!).add(target);
      }
      const long = longFunction(n, sf, file);
      if (long) findings.push({ file, line: lineOf(n), text: long });
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { findings, edges };
}

function importSpecifier(n: ts.Node): string | undefined {
  if (
    (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) &&
    n.moduleSpecifier &&
    ts.isStringLiteral(n.moduleSpecifier)
  )
    return n.moduleSpecifier.text;
  if (
    ts.isCallExpression(n) &&
    n.expression.kind === ts.SyntaxKind.ImportKeyword &&
    n.arguments[0] &&
    ts.isStringLiteral(n.arguments[0])
  )
    return n.arguments[0].text;
  return undefined;
}

function longFunction(n: ts.Node, sf: ts.SourceFile, file: string): string | undefined {
  if (!file.startsWith("runtime/") || file.endsWith(".js")) return undefined; // the prelude is one closure by design
  if (
    !(
      ts.isFunctionDeclaration(n) ||
      ts.isMethodDeclaration(n) ||
      ts.isArrowFunction(n) ||
      ts.isFunctionExpression(n)
    ) ||
    !n.body
  )
    return undefined;
  const lines =
    sf.getLineAndCharacterOfPosition(n.end).line - sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  if (lines <= MAX_FUNCTION_LINES) return undefined;
  // the comment may sit on the function or on the statement that holds it (`const f = () => ...`)
  for (let at: ts.Node | undefined = n; at && !ts.isSourceFile(at) && !ts.isBlock(at); at = at.parent) {
    const comments = ts.getLeadingCommentRanges(sf.text, at.getFullStart()) ?? [];
    if (comments.some((c) => /\blong:/.test(sf.text.slice(c.pos, c.end)))) return undefined;
  }
  const name = (n as ts.FunctionDeclaration).name?.getText(sf) ?? "(anonymous)";
  return `function ${name} is ${lines} lines: split it, or say why it is long in a "long: ..." comment above it`;
}

/** File-level import cycles, each reported once, from its first file in path order. */
function cycles(edges: Map<string, Set<string>>): string[] {
  const out = new Set<string>();
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const dfs = (u: string): void => {
    state.set(u, 1);
    stack.push(u);
    for (const v of edges.get(u) ?? []) {
      if (state.get(v) === 1) out.add([...stack.slice(stack.indexOf(v)), v].join(" -> "));
      else if (!state.has(v)) dfs(v);
    }
    stack.pop();
    state.set(u, 2);
  };
  for (const f of [...edges.keys()].sort()) if (!state.has(f)) dfs(f);
  return [...out];
}

const files = ["runtime", "sdk", "modules"].filter((d) => existsSync(join(ROOT, d))).flatMap((d) => sourceFiles(d));
const { findings, edges } = check(files);
const loops = cycles(edges);
for (const f of findings) console.log(`${f.file}:${f.line} ${f.text}`);
for (const c of loops) console.log(`import cycle: ${c}`);
const bad = findings.length + loops.length;
console.log(
  `layout: ${files.length} files, ${bad === 0 ? "every boundary holds" : `${bad} violation${bad === 1 ? "" : "s"}`}`,
);
process.exit(bad === 0 ? 0 : 1);
