import { createHash } from "node:crypto";
import { generateCluster, PRESETS } from "../src/gen/index.js";
import { clusterFromObjects } from "../src/model/load.js";
import { compileCluster } from "../src/compile/index.js";
for (const admin of [0, 200]) {
  const o = generateCluster({ ...PRESETS.LARGE, seed: 1, adminPolicies: admin, baseline: admin > 0 });
  const c = clusterFromObjects([...o.namespaces, ...o.pods, ...o.policies, ...(o.adminPolicies ?? [])]).cluster;
  const times: number[] = [];
  let sha = "";
  for (let i = 0; i < 3; i++) {
    const st: Record<string, number> = {};
    const t = performance.now();
    const r = compileCluster(c, { onStage: (s, ms) => (st[s] = ms) });
    times.push(performance.now() - t);
    sha = createHash("sha256").update(r.bytes).digest("hex").slice(0, 16);
    if (i === 2) console.log(admin, sha, times.map((x) => x.toFixed(0)).join(" "), JSON.stringify(Object.fromEntries(Object.entries(st).map(([k, v]) => [k, Math.round(v)]))));
  }
  const u = compileCluster(c, { packSlots: false });
  console.log(" unpacked", createHash("sha256").update(u.bytes).digest("hex").slice(0, 16));
}
