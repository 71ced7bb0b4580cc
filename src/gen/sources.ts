/**
 * The two forms a cluster reaches the flow generator in, read into one EndpointSource:
 * generated API objects (generateFlows, the benchmarks) and a loaded, normalised Cluster
 * (`netpol gen flows`, any manifests). For a generated cluster both give the same source,
 * except that the model keeps no address for host-network pods, so it names no node addresses.
 */
import type * as api from "../load/api.js";
import type { Cluster, Labels, Pod, Rule } from "../model/types.js";
import { toCIDR, toIPAddress } from "../validate/ip.js";
import type { GeneratedCluster } from "./cluster.js";
import { type EndpointSource, type SourceBlock, type SourcePod, type SourcePort, packPort } from "./endpoints.js";

function workload(labels: Labels | undefined, name: string): string {
  return labels?.app ?? labels?.["k8s-app"] ?? name;
}

function objectPods(pods: readonly api.Pod[]): SourcePod[] {
  const out: SourcePod[] = [];
  for (const pod of pods) {
    if (pod.spec?.hostNetwork || pod.status?.phase !== "Running") continue;
    out.push({
      namespace: pod.metadata.namespace!,
      workload: workload(pod.metadata.labels, pod.metadata.name!),
      ips: (pod.status.podIPs ?? []).map((p) => toIPAddress(p.ip!)),
      ports: (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => packPort(p.containerPort!, p.protocol))),
    });
  }
  return out;
}

function objectPeers(p: api.NetworkPolicy): api.NetworkPolicyPeer[] {
  return [...(p.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(p.spec?.egress ?? []).flatMap((r) => r.to ?? [])];
}

function objectPorts(rules: readonly { ports?: api.NetworkPolicyPort[] }[]): SourcePort[] {
  return rules.flatMap((r) => r.ports ?? []).flatMap((p) =>
    typeof p.port === "number" ? [{ protocol: p.protocol, port: p.port, endPort: p.endPort }] : []);
}

/** Generated objects: running pods off the host network, and the node addresses of those on it. */
export function objectSource(cluster: GeneratedCluster): EndpointSource {
  const blocks = cluster.policies.flatMap(objectPeers).flatMap((peer): SourceBlock[] =>
    peer.ipBlock ? [{ cidr: toCIDR(peer.ipBlock.cidr!), except: (peer.ipBlock.except ?? []).map(toCIDR) }] : []);
  return {
    pods: objectPods(cluster.pods),
    blocks,
    nodes: cluster.pods.flatMap((pod) => (pod.spec?.hostNetwork && pod.status?.podIP ? [toIPAddress(pod.status.podIP)] : [])),
    ingressPorts: objectPorts(cluster.policies.flatMap((p) => p.spec?.ingress ?? [])),
    egressPorts: objectPorts(cluster.policies.flatMap((p) => p.spec?.egress ?? [])),
  };
}

function modelPod(pod: Pod): SourcePod {
  return {
    namespace: pod.namespace,
    workload: workload(pod.labels, pod.name),
    ips: pod.ips,
    ports: pod.ports.map((p) => packPort(p.containerPort, p.protocol)),
  };
}

function modelPorts(rules: readonly Rule[]): SourcePort[] {
  return rules.flatMap((r) => r.ports).flatMap((p) =>
    typeof p.port === "number" ? [{ protocol: p.protocol, port: p.port, endPort: p.endPort }] : []);
}

/** A loaded cluster: the pods that own addresses (the model keeps none for host-network pods). */
export function modelSource(cluster: Cluster): EndpointSource {
  const rules = (which: "ingress" | "egress") => cluster.policies.flatMap((p) => p[which]);
  const blocks = cluster.policies
    .flatMap((p) => [...p.ingress, ...p.egress])
    .flatMap((r) => r.peers)
    .flatMap((peer): SourceBlock[] => (peer.ipBlock ? [peer.ipBlock] : []));
  return {
    pods: cluster.pods.filter((pod) => pod.ips.length > 0).map(modelPod),
    blocks,
    nodes: [],
    ingressPorts: modelPorts(rules("ingress")),
    egressPorts: modelPorts(rules("egress")),
  };
}
