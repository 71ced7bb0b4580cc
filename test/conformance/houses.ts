/**
 * The upstream admin-policy conformance world (kubernetes-sigs/network-policy-api,
 * conformance/base/manifests.yaml), as data: four namespaces `network-policy-conformance-<house>`
 * labelled `conformance-house: <house>`, two pods each (`harry-potter-0/1` in gryffindor,
 * `draco-malfoy-0/1` in slytherin, `cedric-diggory-0/1` in hufflepuff, `luna-lovegood-0/1` in
 * ravenclaw) labelled with their house (and, as a StatefulSet's pods are,
 * `statefulset.kubernetes.io/pod-name: <name>`), every pod serving TCP 80 and 8080, UDP 53 and 5353, SCTP
 * 9003 and 9005.
 *
 * Upstream's agnhost containers declare no ports; here they are named, so that named-port
 * scenarios resolve differently per destination: `web` is 80/TCP in gryffindor and ravenclaw but
 * 8080/TCP in slytherin and hufflepuff; `dns` is 53/UDP everywhere; `sctp` is 9003/SCTP.
 *
 * Addresses: pod i of house h (h = 1 gryffindor, 2 slytherin, 3 hufflepuff, 4 ravenclaw) is
 * 10.1.h.(i+1) and fd00:1:0:h::(i+1). Two outside addresses stand beside them.
 */
import { expect } from "vitest";
import { type Engine, compileSync } from "../../src/engine/engine.js";
import { loadCluster } from "../../src/model/load.js";
import type { Protocol } from "../../src/model/types.js";
import { ReferenceEvaluator } from "../../src/reference/evaluator.js";
import { toIPAddress } from "../../src/validate/ip.js";

export const HOUSES = ["gryffindor", "slytherin", "hufflepuff", "ravenclaw"] as const;
export type House = (typeof HOUSES)[number];
const STUDENT: Readonly<Record<House, string>> = { gryffindor: "harry-potter", slytherin: "draco-malfoy", hufflepuff: "cedric-diggory", ravenclaw: "luna-lovegood" };
export const ns = (h: House) => `network-policy-conformance-${h}`;

export interface Member {
  readonly house: House;
  readonly name: string;
  readonly ips: { readonly 4: string; readonly 6: string };
}

export const MEMBERS: readonly Member[] = HOUSES.flatMap((house, h) =>
  [0, 1].map((i) => ({ house, name: `${STUDENT[house]}-${i}`, ips: { 4: `10.1.${h + 1}.${i + 1}`, 6: `fd00:1:0:${h + 1}::${i + 1}` } })),
);
/** Outside the cluster: a documentation address and one inside 10.1.0.0/16 that no pod holds. */
export const OUTSIDE = { 4: ["192.0.2.10", "10.1.2.200"], 6: ["2001:db8::10"] } as const;

export const PORTS: readonly (readonly [Protocol, number])[] = [["TCP", 80], ["TCP", 8080], ["UDP", 53], ["UDP", 5353], ["SCTP", 9003], ["SCTP", 9005]];

function clusterYaml(): string {
  const docs: string[] = [];
  for (const h of HOUSES) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns(h)}, labels: {conformance-house: ${h}}}`);
  for (const m of MEMBERS) {
    const web = m.house === "gryffindor" || m.house === "ravenclaw" ? 80 : 8080;
    const ports = [
      `{name: web, containerPort: ${web}, protocol: TCP}`,
      `{name: dns, containerPort: 53, protocol: UDP}`,
      `{name: sctp, containerPort: 9003, protocol: SCTP}`,
    ];
    docs.push(
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${m.name}, namespace: ${ns(m.house)}, labels: {conformance-house: ${m.house}, statefulset.kubernetes.io/pod-name: ${m.name}}}\n` +
        `spec: {containers: [{name: ${m.name.replace(/-\d$/, "")}, ports: [${ports.join(", ")}]}]}\n` +
        `status: {phase: Running, podIP: ${m.ips[4]}, podIPs: [{ip: ${m.ips[4]}}, {ip: "${m.ips[6]}"}]}`,
    );
  }
  return `${docs.join("\n---\n")}\n`;
}

/** One side of a probe: a member of the world, or an outside address. */
export type End = Member | { readonly outside: string };
const addressOf = (e: End, family: 4 | 6) => ("outside" in e ? e.outside : e.ips[family]);

/**
 * Loads the world with `policies` (YAML documents of any kind) and checks, with both engines,
 * every pod to every pod and to and from the outside addresses, in both families, on every
 * port: the verdict must be `expected(src, dst, protocol, port)`, and the compiled engine's
 * reasons (Pass rules included) must equal the reference evaluator's.
 */
export function check(policies: readonly string[], expected: (src: End, dst: End, protocol: Protocol, port: number) => boolean): void {
  const loaded = loadCluster([{ file: "houses.yaml", text: clusterYaml() }, { file: "policies.yaml", text: `${policies.join("\n---\n")}\n` }]);
  const ref = new ReferenceEvaluator(loaded.cluster);
  const engine: Engine = compileSync(loaded.cluster);
  const wrong: string[] = [];
  for (const family of [4, 6] as const) {
    const ends: End[] = [...MEMBERS, ...OUTSIDE[family].map((outside) => ({ outside }))];
    for (const s of ends) {
      for (const d of ends) {
        if ("outside" in s && "outside" in d) continue;
        for (const [protocol, port] of PORTS) {
          const [src, dst] = [addressOf(s, family), addressOf(d, family)];
          const want = s === d || expected(s, d, protocol, port) ? "allow" : "deny";
          const spec = ref.explainFlow({ src: toIPAddress(src), dst: toIPAddress(dst), protocol, port });
          const core = engine.explain(src, dst, protocol, port);
          const strip = ({ names: _, ...r }: { names?: unknown }) => r;
          const coreWhy = { verdict: core.verdict, egress: strip(core.egress), ingress: strip(core.ingress) };
          if (spec.verdict !== want) wrong.push(`reference: ${src} → ${dst} ${protocol}/${port}: ${spec.verdict}, expected ${want}`);
          if (engine.decide(src, dst, protocol, port) !== want) wrong.push(`wasm: ${src} → ${dst} ${protocol}/${port}: expected ${want}`);
          if (JSON.stringify(coreWhy) !== JSON.stringify(spec)) wrong.push(`reasons differ: ${src} → ${dst} ${protocol}/${port}: wasm ${JSON.stringify(coreWhy)}, reference ${JSON.stringify(spec)}`);
        }
      }
    }
  }
  expect(wrong.slice(0, 20)).toEqual([]);
}

/** The house of a side, or undefined outside the cluster. */
export const houseOf = (e: End): House | undefined => ("outside" in e ? undefined : e.house);
