/** The library surface of netpol-wasm. */
export { clusterFromObjects, loadCluster, loadPaths, type LoadOptions, type Loaded, type Source } from "./model/load.js";
export { ReferenceEvaluator, type Flow } from "./reference/evaluator.js";
export { PolicyError, formatDiagnostic, type Diagnostic } from "./load/diagnostics.js";
export { parseIP, parseCIDR, cidrContains, type IPAddress, type CIDR } from "./validate/ip.js";
export type * from "./model/types.js";
