/**
 * `flowFor(cluster)`: random flows that hit the interesting places of one cluster: pod
 * addresses (both families), hostNetwork and outside addresses, addresses inside and outside
 * the CIDRs the policies use, the ports the policies and named ports use, and their edges.
 */
import fc from "fast-check";
import type { ClusterObjects } from "./cluster.js";
import { EXTERNAL_ADDRESSES, PORT_NUMBERS, PROTOCOLS } from "./vocabulary.js";

export interface FlowText {
  readonly src: string;
  readonly dst: string;
  readonly protocol: "TCP" | "UDP" | "SCTP";
  readonly port: number;
}

export function flowFor(cluster: ClusterObjects): fc.Arbitrary<FlowText> {
  const podAddresses = cluster.pods.flatMap((p) => [p.status?.podIP, ...(p.status?.podIPs ?? []).map((x) => x.ip)]).filter((a): a is string => !!a);
  const addresses = [...new Set([...podAddresses, ...EXTERNAL_ADDRESSES])];
  const address = podAddresses.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...podAddresses) }, { weight: 1, arbitrary: fc.constantFrom(...addresses) }) : fc.constantFrom(...addresses);
  const port = fc.oneof(fc.constantFrom(...PORT_NUMBERS), fc.constantFrom(...PORT_NUMBERS).map((p) => p + 1), fc.integer({ min: 1, max: 65535 }));
  const anyFlow = fc.record({ src: address, dst: address, protocol: fc.constantFrom(...PROTOCOLS), port });
  // Flows to a port a pod really serves, so that named ports resolve often.
  const served = cluster.pods.flatMap((p) => {
    const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter((a): a is string => !!a);
    const ports = (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
    return ips.flatMap((dst) => ports.map((cp) => ({ dst, protocol: (cp.protocol ?? "TCP") as FlowText["protocol"], port: cp.containerPort! })));
  });
  if (served.length === 0) return anyFlow;
  const toServed = fc.record({ src: address, target: fc.constantFrom(...served) }).map(({ src, target }) => ({ src, ...target }));
  return fc.oneof({ weight: 2, arbitrary: anyFlow }, { weight: 1, arbitrary: toServed });
}
