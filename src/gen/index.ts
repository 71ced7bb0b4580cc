/** Deterministic, realistic scenarios: clusters as Kubernetes objects, and flows for them. */
export { generateCluster, type ClusterParams, type GeneratedCluster } from "./cluster.js";
export { flowsAsText, generateFlows, type FlowParams, type FlowText } from "./flows.js";
export { PRESETS, type PresetName } from "./presets.js";
export { DEFAULT_SEED, Random } from "./random.js";
