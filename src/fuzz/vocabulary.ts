/**
 * Small vocabularies so that random selectors actually hit random labels: with a handful of
 * keys and values, In/NotIn/Exists/DoesNotExist all meet both outcomes often.
 */
export const LABEL_KEYS = ["app", "tier", "env", "team.example.com/owner"] as const;
export const LABEL_VALUES = ["a", "b", "c", ""] as const;
export const PORT_NAMES = ["http", "dns", "metrics"] as const;
export const PORT_NUMBERS = [53, 80, 81, 443, 8080] as const;
export const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export const NAMESPACE_NAMES = ["x", "y", "z", "w"] as const;

/** The address plan: pod i owns 10.0.<i/250>.<i%250+1> and fd00::<i+1> (when it has them). */
export function podIPv4(i: number): string {
  return `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export function podIPv6(i: number): string {
  return `fd00::${(i + 1).toString(16)}`;
}

/** Outside addresses, some inside the CIDRs that policies use, some not. */
export const EXTERNAL_ADDRESSES = [
  "192.0.2.1", "192.0.2.200", "198.51.100.7", "10.0.0.250", "10.1.2.3", "203.0.113.9",
  "2001:db8::1", "2001:db8:0:1::5", "fd00::ffff", "2001:db8:ffff::1",
] as const;

/** ipBlock CIDRs with excepts that are strict subsets (valid by construction). */
export const IP_BLOCKS: readonly { readonly cidr: string; readonly except: readonly string[] }[] = [
  { cidr: "0.0.0.0/0", except: [] },
  { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] },
  { cidr: "10.0.0.0/8", except: [] },
  { cidr: "10.0.0.0/16", except: ["10.0.0.0/30", "10.0.0.128/25"] },
  { cidr: "10.0.0.0/24", except: ["10.0.0.2/32"] },
  { cidr: "10.0.0.3/32", except: [] },
  { cidr: "192.0.2.0/24", except: ["192.0.2.128/25"] },
  { cidr: "198.51.100.0/24", except: [] },
  { cidr: "::/0", except: [] },
  { cidr: "::/0", except: ["fd00::/16"] },
  { cidr: "fd00::/64", except: ["fd00::/126"] },
  { cidr: "fd00::2/128", except: [] },
  { cidr: "2001:db8::/32", except: ["2001:db8:ffff::/48"] },
];
