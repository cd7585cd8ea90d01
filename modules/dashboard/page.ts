// The dashboard's one HTML page: plain server-side HTML, no script, every value escaped.
import type { ClusterStatus } from "./status.ts";

const COLORS: Record<string, string> = { HEALTH_OK: "#2e7d32", HEALTH_WARN: "#ed6c02", HEALTH_ERR: "#c62828" };

export function renderPage(s: ClusterStatus, refreshSecs: number): string {
  const checks = s.health.checks.length
    ? `<ul class="checks">${s.health.checks.map((c) => `<li><b>${esc(c.code)}</b> (${esc(c.severity)}): ${esc(c.summary)}</li>`).join("")}</ul>`
    : "";
  const pools = s.pools.length
    ? `<table><thead><tr><th>id</th><th>pool</th><th>type</th><th>size</th><th>PGs</th><th>stored</th><th>objects</th><th>used</th></tr></thead><tbody>${s.pools
        .map(
          (p) =>
            `<tr><td>${p.id}</td><td>${esc(p.name)}</td><td>${p.type}</td><td>${p.size}</td><td>${p.pg_num}</td>` +
            `<td>${p.stored === null ? "–" : bytes(p.stored)}</td><td>${p.objects ?? "–"}</td><td>${p.percent_used === null ? "–" : `${(p.percent_used * 100).toFixed(1)} %`}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "<p>No pools.</p>";
  const pgStates = Object.entries(s.pgs.by_state)
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n} ${esc(state)}`)
    .join(", ");
  const noMeta = s.osds.without_metadata ? ` (${s.osds.without_metadata} not reporting metadata yet)` : "";
  const capacity = s.capacity ? `${bytes(s.capacity.used_bytes)} used of ${bytes(s.capacity.total_bytes)}` : "unknown";
  const refresh = refreshSecs > 0 ? `<meta http-equiv="refresh" content="${refreshSecs}">` : "";

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">${refresh}<title>tsmgr dashboard: ${esc(s.health.status)}</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
#health { display: inline-block; padding: .2em .6em; border-radius: 4px; color: #fff; background: ${COLORS[s.health.status] ?? "#555"}; }
table { border-collapse: collapse; } th, td { padding: .2em .8em; border-bottom: 1px solid #ddd; text-align: left; }
footer { margin-top: 2em; color: #777; font-size: 13px; }
</style></head>
<body>
<h1>Cluster status</h1>
<p>Health: <span id="health">${esc(s.health.status)}</span></p>
${checks}
<h2>Services</h2>
<ul>
<li id="osds">OSDs: ${s.osds.total} total, ${s.osds.up} up, ${s.osds.in} in${noMeta}</li>
<li id="mons">Monitors: ${s.mons.in_quorum} of ${s.mons.total} in quorum</li>
<li id="hosts">Hosts: ${s.hosts}</li>
</ul>
<h2>Data</h2>
<ul>
<li id="pgs">PGs: ${s.pgs.total}${pgStates ? ` (${pgStates})` : ""}</li>
<li id="capacity">Capacity: ${capacity}</li>
</ul>
<h2>Pools</h2>
${pools}
<footer>Served by tsmgr daemon <span id="served-by">${esc(s.served_by)}</span> at ${esc(s.generated_at)}. <a href="/api/status">JSON</a></footer>
</body></html>
`;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 1536 → "1.5 KiB" */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
