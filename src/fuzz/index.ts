/** fast-check arbitraries for clusters, policies and flows: for our tests and for yours. */
export { clusterObjects, type ClusterConstraints, type ClusterObjects } from "./cluster.js";
export { flowFor, type FlowText } from "./flow.js";
export { labelSelector, networkPolicy, type NetworkPolicyConstraints } from "./policy.js";
export { adminNetworkPolicy, adminTiers, baselineAdminNetworkPolicy, clusterNetworkPolicy, nodeObjects, tiersWithNodes } from "./admin.js";
export * as vocabulary from "./vocabulary.js";
