/** The human summary of a loaded cluster that `eval --summary` prints before the verdicts. */
import type { Cluster, Direction } from "../model/types.js";
import { ReferenceEvaluator } from "../reference/evaluator.js";

export function clusterSummary(cluster: Cluster): string {
  const ref = new ReferenceEvaluator(cluster);
  const lines: string[] = [];
  const addressed = cluster.pods.filter((p) => p.ips.length > 0).length;
  lines.push(
    `cluster: ${cluster.namespaces.length} namespaces, ${cluster.pods.length} pods (${addressed} with addresses), ${cluster.policies.length} NetworkPolicies`,
  );
  const width = Math.max(4, ...cluster.pods.map((p) => `${p.namespace}/${p.name}`.length));
  for (const pod of cluster.pods) {
    const iso = (d: Direction) => {
      const by = ref.isolating(pod, d).map((p) => p.name);
      return by.length === 0 ? "open" : `isolated by ${by.join(", ")}`;
    };
    const ips = pod.hostNetwork ? "hostNetwork" : pod.ips.map((ip) => ip.text).join(" ") || "no address";
    lines.push(`  ${`${pod.namespace}/${pod.name}`.padEnd(width)}  ${ips}`);
    lines.push(`  ${"".padEnd(width)}  ingress: ${iso("ingress")}; egress: ${iso("egress")}`);
  }
  return lines.join("\n") + "\n";
}
