/**
 * Admin-tier policies as platform teams write them (issue 6's benchmark scenario): monitoring
 * may scrape every team, prod never hears from dev, each team passes its own traffic down to
 * its NetworkPolicies, nobody reaches the cloud metadata address, DNS is always allowed, and
 * a few external ranges and named ports; priorities spread over 0–1000. The baseline (when
 * asked for) denies dev → prod where no NetworkPolicy decides.
 */
import type * as api from "../load/api.js";
import { KUBE_SYSTEM, MONITORING, type NamespaceInfo } from "./namespaces.js";
import type { Random } from "./random.js";

const V1ALPHA1 = "policy.networking.k8s.io/v1alpha1";
const byName = (name: string): api.LabelSelector => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

type Template = (rng: Random, team: NamespaceInfo) => { name: string; spec: Omit<api.AdminNetworkPolicySpec, "priority"> };

const TEMPLATES: readonly Template[] = [
  (_, t) => ({
    name: `allow-monitoring-${t.name}`,
    spec: { subject: { namespaces: byName(t.name) }, ingress: [{ name: "scrape", action: "Allow", from: [{ namespaces: byName(MONITORING) }], ports: [{ portRange: { protocol: "TCP", start: 9000, end: 9999 } }] }] },
  }),
  () => ({
    name: "prod-not-from-dev",
    spec: { subject: { namespaces: { matchLabels: { env: "prod" } } }, ingress: [{ name: "no-dev", action: "Deny", from: [{ namespaces: { matchLabels: { env: "dev" } } }] }] },
  }),
  (_, t) => ({
    name: `pass-team-${t.team}`,
    spec: { subject: { namespaces: { matchLabels: { team: t.team } } }, ingress: [{ name: "own-team", action: "Pass", from: [{ namespaces: { matchLabels: { team: t.team } } }] }] },
  }),
  () => ({
    name: "no-cloud-metadata",
    spec: { subject: { namespaces: {} }, egress: [{ name: "metadata", action: "Deny", to: [{ networks: ["169.254.169.254/32"] }] }] },
  }),
  () => ({
    name: "always-dns",
    spec: {
      subject: { namespaces: {} },
      egress: [{ name: "dns", action: "Allow", to: [{ pods: { namespaceSelector: byName(KUBE_SYSTEM), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } } }], ports: [{ portNumber: { protocol: "UDP", port: 53 } }, { portNumber: { protocol: "TCP", port: 53 } }] }],
    },
  }),
  (rng, t) => ({
    name: `egress-range-${t.name}`,
    spec: { subject: { pods: { namespaceSelector: byName(t.name), podSelector: {} } }, egress: [{ name: "partner", action: rng.chance(0.5) ? "Allow" : "Deny", to: [{ networks: [`203.0.${rng.int(0, 255)}.0/24`] }] }] },
  }),
  (_, t) => ({
    name: `web-from-ingress-${t.name}`,
    spec: { subject: { namespaces: byName(t.name) }, ingress: [{ name: "web", action: "Allow", from: [{ namespaces: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } } }], ports: [{ namedPort: "http" }] }] },
  }),
];

export function generateAdminPolicies(rng: Random, namespaces: readonly NamespaceInfo[], n: number, baseline: boolean): (api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy)[] {
  const teams = namespaces.filter((ns) => !ns.infra);
  const out: (api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy)[] = [];
  const names = new Set<string>();
  for (let i = 0; out.length < n; i++) {
    const team = teams.length > 0 ? rng.pick(teams) : namespaces[0]!;
    let { name, spec } = TEMPLATES[i % TEMPLATES.length]!(rng, team);
    for (let k = 2; names.has(name); k++) name = `${name.replace(/-\d+$/, "")}-${k}`;
    names.add(name);
    // Spread over 0–1000; a collision now and then is realistic (and warned about on load).
    const priority = (i * 37 + rng.int(0, 4)) % 1001;
    out.push({ apiVersion: V1ALPHA1, kind: "AdminNetworkPolicy", metadata: { name }, spec: { priority, ...spec } });
  }
  if (baseline) {
    out.push({
      apiVersion: V1ALPHA1,
      kind: "BaselineAdminNetworkPolicy",
      metadata: { name: "default" },
      spec: { subject: { namespaces: { matchLabels: { env: "prod" } } }, ingress: [{ name: "no-dev", action: "Deny", from: [{ namespaces: { matchLabels: { env: "dev" } } }] }] },
    });
  }
  return out;
}
