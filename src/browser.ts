/**
 * The part of netpol-wasm that runs anywhere JavaScript and WebAssembly do — browsers,
 * workers, Deno, Bun, Node: no file system, no top-level await, the core embedded. Load
 * manifests from text (`loadCluster`) or objects (`clusterFromObjects`), compile, decide.
 */
export { clusterFromObjects, loadCluster, type LoadOptions, type Loaded, type Source } from "./model/load.js";
export { ReferenceEvaluator, type Flow } from "./reference/evaluator.js";
export { PolicyError, formatDiagnostic, type Diagnostic } from "./load/diagnostics.js";
export { parseIP, parseCIDR, cidrContains, toIPAddress, type IPAddress, type CIDR } from "./validate/ip.js";
export {
  BundleError, CHUNK, Engine, compile, compileSync, loadBundle, loadBundleSync, VERDICT_ALLOW, VERDICT_DENY, VERDICT_INVALID,
  type ApplyResult, type Explanations, type NamedExplanation, type NamedReason, type WatchEvent,
} from "./engine/engine.js";
export { reasonKey, sideKey, splitReasonKey } from "./engine/reasons.js";
export { FlowBatch, PROTOCOL_CODE, packMeta, writeAddress } from "./engine/batch.js";
export { compileCluster, type CompileOptions, type CompileStats, type Compiled } from "./compile/index.js";
export type * from "./model/types.js";
