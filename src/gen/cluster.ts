/**
 * `generateCluster()`: a deterministic, realistic cluster as Kubernetes objects, for benchmarks
 * and `netpol gen`. Each part (namespaces, workloads, external CIDRs, policies) draws from its
 * own stream forked from the seed, so asking for more policies leaves the pods as they were.
 * Every object passes the loader's validation (test/gen/cluster.test.ts holds it to that).
 */
import type * as api from "../load/api.js";
import { generateAdminPolicies } from "./admin.js";
import { generateApps } from "./apps.js";
import { generateExternalBlocks } from "./cidrs.js";
import { generateNamespaces, namespaceObject } from "./namespaces.js";
import { generatePolicies } from "./policies.js";
import { AddressPlan, generatePods } from "./pods.js";
import { DEFAULT_SEED, Random } from "./random.js";

export interface ClusterParams {
  readonly namespaces: number;
  readonly pods: number;
  /** Exactly this many NetworkPolicies. */
  readonly policies: number;
  /** Exactly this many distinct external CIDRs (`ipBlock.cidr` values) across the policies. */
  readonly cidrs: number;
  /** Share of pods with an IPv6 address besides their IPv4 one, 0..1 (default 0). */
  readonly dualStack?: number;
  readonly seed?: number;
  /** AdminNetworkPolicies to add (default 0), and whether to add the BaselineAdminNetworkPolicy. */
  readonly adminPolicies?: number;
  readonly baseline?: boolean;
}

export interface GeneratedCluster {
  readonly namespaces: api.Namespace[];
  readonly pods: api.Pod[];
  readonly policies: api.NetworkPolicy[];
  /** Present when asked for: AdminNetworkPolicies, then the baseline. */
  readonly adminPolicies?: (api.AdminNetworkPolicy | api.BaselineAdminNetworkPolicy)[];
}

/** The pod network's /10 holds about four million addresses; stay well inside it. */
const MAX_PODS = 1_000_000;

function wholeNumber(value: number, field: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`generateCluster: params.${field} must be a whole number in ${min}..${max}, got ${value}`);
  }
}

function guard(params: ClusterParams): void {
  wholeNumber(params.namespaces, "namespaces", 1);
  wholeNumber(params.pods, "pods", 0, MAX_PODS);
  wholeNumber(params.policies, "policies", 0);
  wholeNumber(params.cidrs, "cidrs", 0);
  wholeNumber(params.adminPolicies ?? 0, "adminPolicies", 0);
  const dualStack = params.dualStack ?? 0;
  if (!(dualStack >= 0 && dualStack <= 1)) throw new RangeError(`generateCluster: params.dualStack must be in 0..1, got ${dualStack}`);
  if (params.cidrs > 0 && params.policies === 0) {
    throw new RangeError("generateCluster: params.cidrs needs at least one policy to name them");
  }
  if (params.seed !== undefined && !Number.isSafeInteger(params.seed)) {
    throw new RangeError(`generateCluster: params.seed must be a safe integer, got ${params.seed}`);
  }
}

export function generateCluster(params: ClusterParams): GeneratedCluster {
  guard(params);
  const root = new Random(params.seed ?? DEFAULT_SEED);
  const [nsRng, appRng, podRng, cidrRng, policyRng] = [root.fork(), root.fork(), root.fork(), root.fork(), root.fork()];
  const namespaces = generateNamespaces(nsRng, params.namespaces);
  const apps = generateApps(appRng, namespaces, params.pods);
  const pods = generatePods(podRng, apps, namespaces, new AddressPlan(podRng, params.pods, params.dualStack ?? 0));
  const pool = generateExternalBlocks(cidrRng, params.cidrs);
  const policies = generatePolicies(policyRng, namespaces, apps, pool, params.policies);
  const tiers = (params.adminPolicies ?? 0) > 0 || params.baseline === true;
  // A stream of its own, forked last: clusters without admin policies come out as before.
  const adminPolicies = tiers ? generateAdminPolicies(root.fork(), namespaces, params.adminPolicies ?? 0, params.baseline === true) : undefined;
  return { namespaces: namespaces.map(namespaceObject), pods, policies, ...(adminPolicies ? { adminPolicies } : {}) };
}
