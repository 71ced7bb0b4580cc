/**
 * Field validation of decoded objects, the API server's create-time rules
 * (VALIDATION.md sections 4-8; ANP.md for the admin-policy CRDs), reported at its field paths
 * in its wording.
 */

import type { ApiObject } from "../load/api.js";
import type { FieldIssue } from "../load/diagnostics.js";
import { validateAdminNetworkPolicy, validateBaselineAdminNetworkPolicy, validateClusterNetworkPolicy, validateNode } from "./adminpolicy.js";
import { validateNamespace } from "./namespace.js";
import { validateNetworkPolicy } from "./networkpolicy.js";
import { validatePod } from "./pod.js";

export interface ValidateOptions {
  /**
   * Reject the IP/CIDR forms a 1.36+ API server rejects (leading zeros, IPv4-mapped, host
   * bits) instead of accepting them with a warning, as objects that predate 1.36 survive.
   */
  readonly strict: boolean;
}

/** All problems of one object (errors and warnings), like the API server collects them. */
export function validateObject(obj: ApiObject, options: ValidateOptions): FieldIssue[] {
  switch (obj.kind) {
    case "NetworkPolicy":
      return validateNetworkPolicy(obj, options);
    case "Pod":
      return validatePod(obj, options);
    case "Namespace":
      return validateNamespace(obj);
    case "AdminNetworkPolicy":
      return validateAdminNetworkPolicy(obj, options);
    case "BaselineAdminNetworkPolicy":
      return validateBaselineAdminNetworkPolicy(obj, options);
    case "ClusterNetworkPolicy":
      return validateClusterNetworkPolicy(obj, options);
    case "Node":
      return validateNode(obj);
  }
}
