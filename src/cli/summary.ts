/**
 * The human summary of a loaded cluster that `eval --summary` prints before the verdicts: per
 * pod for a small cluster (addresses, and which policies isolate each direction), per
 * namespace for a large one, in lines that fit an 80-column terminal where names allow.
 */
import type { Cluster, Direction, Pod } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";

/** Above this many pods the summary is per namespace. */
export const PER_POD_LIMIT = 40;

export function clusterSummary(cluster: Cluster): string {
  const ref = new ReferenceEvaluator(cluster);
  const addressed = cluster.pods.filter((p) => p.ips.length > 0).length;
  const lines = [
    `cluster: ${cluster.namespaces.length} namespaces, ${cluster.pods.length} pods (${addressed} with addresses), ${cluster.policies.length} NetworkPolicies`,
  ];
  const tiers = cluster.adminPolicies ?? [];
  if (tiers.length > 0) {
    const admin = tiers.filter((t) => t.tier === "admin").sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : 1));
    const baseline = tiers.filter((t) => t.tier === "baseline");
    const shown = (list: typeof tiers) => list.slice(0, 6).map((t) => `${t.name} (${t.priority})`).join(", ") + (list.length > 6 ? `, … ${list.length - 6} more` : "");
    if (admin.length > 0) lines.push(`admin tier, by priority: ${shown(admin)}`);
    if (baseline.length > 0) lines.push(`baseline tier: ${shown(baseline)}`);
  }
  if (cluster.pods.length <= PER_POD_LIMIT) lines.push(...cluster.pods.flatMap((pod) => podLines(ref, pod)));
  else lines.push(...namespaceLines(ref, cluster));
  return `${lines.join("\n")}\n`;
}

function podLines(ref: ReferenceEvaluator, pod: Pod): string[] {
  const iso = (d: Direction) => {
    const by = ref.isolating(pod, d).map((p) => p.name);
    return by.length === 0 ? "open" : `isolated by ${by.join(", ")}`;
  };
  const ips = pod.hostNetwork ? "hostNetwork (outside: not a policy endpoint)" : pod.ips.map((ip) => ip.text).join(" ") || "no address";
  return [`  ${pod.namespace}/${pod.name}  ${ips}`, `      ingress ${iso("ingress")}`, `      egress  ${iso("egress")}`];
}

function namespaceLines(ref: ReferenceEvaluator, cluster: Cluster): string[] {
  return cluster.namespaces.map((ns) => {
    const pods = cluster.pods.filter((p) => p.namespace === ns.name);
    const policies = cluster.policies.filter((p) => p.namespace === ns.name).length;
    const isolated = (d: Direction) => pods.filter((p) => ref.isolating(p, d).length > 0).length;
    return `  ${ns.name}: ${pods.length} pods, ${policies} policies; isolated: ${isolated("ingress")} ingress, ${isolated("egress")} egress`;
  });
}
