/** Deterministic, realistic scenarios: clusters as Kubernetes objects, and flows for them. */
export { generateCluster, type ClusterParams, type GeneratedCluster } from "./cluster.js";
export { generateFlows, streamFlows, type FlowCounts, type FlowParams, type FlowStream } from "./flows.js";
export { manifestYAML } from "./manifests.js";
export { PRESETS, type PresetName } from "./presets.js";
export { DEFAULT_SEED, Random } from "./random.js";
export { CSV_HEADER, flowsAsText, flowsCSV, type FlowText } from "./text.js";
