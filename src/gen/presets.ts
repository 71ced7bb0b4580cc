/**
 * The benchmark scenarios of the project, by size. LARGE and XL are dual-stack in part, so the
 * IPv6 paths are measured too; SMALL and MEDIUM are IPv4 only, as most clusters still are.
 */
import type { ClusterParams } from "./cluster.js";

export type PresetName = "SMALL" | "MEDIUM" | "LARGE" | "XL";

export const PRESETS: Readonly<Record<PresetName, ClusterParams>> = {
  SMALL: { namespaces: 5, pods: 200, policies: 20, cidrs: 10 },
  MEDIUM: { namespaces: 20, pods: 4_000, policies: 400, cidrs: 150 },
  LARGE: { namespaces: 50, pods: 20_000, policies: 2_000, cidrs: 500, dualStack: 0.2 },
  XL: { namespaces: 100, pods: 50_000, policies: 5_000, cidrs: 1_000, dualStack: 0.2 },
};
