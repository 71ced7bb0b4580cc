/**
 * IP addresses and CIDRs parsed the way Kubernetes parses them (Go's legacy `net.ParseIP` /
 * `net.ParseCIDR` as forked in k8s.io/utils/net): IPv4 is exactly four dotted decimal octets
 * (leading zeros read as decimal, never octal), IPv6 is any RFC 4291 text form, no zones,
 * no whitespace. The forms that the 1.36+ strict validation (KEP-4858) rejects but older API
 * servers stored are parsed and reported in `problems`, so a caller can warn or reject.
 *
 * ipaddr.js was tried and not used: it reads `::1.2.3.4` as the IPv4-mapped `::ffff:102:304`
 * and accepts zones, both of which would change verdicts.
 */

export type Family = 4 | 6;

export interface IPAddress {
  readonly family: Family;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
  /** Canonical text: dotted decimal, or RFC 5952 for IPv6. */
  readonly text: string;
}

export interface CIDR {
  readonly family: Family;
  /** The network address (host bits cleared), 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** Canonical text of the masked network, e.g. `10.0.1.0/24`. */
  readonly text: string;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly problems: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

export const IP_EXAMPLE = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
export const CIDR_EXAMPLE = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
export const LEADING_ZEROS = "must not have leading 0s";
export const IPV4_MAPPED = "must not have an IPv4-mapped IPv6 address";
export const HOST_BITS = "must not have bits set beyond the prefix length";

interface RawIP {
  bytes: Uint8Array;
  leadingZeros: boolean;
}

function parseIPv4(s: string): RawIP | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  let leadingZeros = false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,8}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    if (p.length > 1 && p[0] === "0") leadingZeros = true;
    bytes[i] = n;
  }
  return { bytes, leadingZeros };
}

function parseIPv6(s: string): RawIP | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === "") return [];
    const out: number[] = [];
    const parts = text.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIPv4(p);
        if (!v4 || v4.leadingZeros) return undefined;
        out.push((v4.bytes[0]! << 8) | v4.bytes[1]!, (v4.bytes[2]! << 8) | v4.bytes[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { bytes, leadingZeros: false };
}

function isV4Mapped(b: Uint8Array): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

export function formatIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

function parseRaw(s: string): { raw: RawIP; family: Family } | undefined {
  if (s.includes(":")) {
    const raw = parseIPv6(s);
    return raw && { raw, family: 6 };
  }
  const raw = parseIPv4(s);
  return raw && { raw, family: 4 };
}

/** Parses an IP address; an IPv4-mapped IPv6 address becomes the IPv4 address it maps. */
export function parseIP(text: string): Parsed<IPAddress> {
  const r = parseRaw(text);
  if (!r) return { ok: false, problems: [IP_EXAMPLE] };
  const problems: string[] = [];
  if (r.raw.leadingZeros) problems.push(LEADING_ZEROS);
  let bytes = r.raw.bytes;
  let family = r.family;
  if (isV4Mapped(bytes)) {
    problems.push(IPV4_MAPPED);
    bytes = bytes.slice(12);
    family = 4;
  }
  return { ok: true, value: { family, bytes, text: formatIP(bytes) }, problems };
}

/** Parses a CIDR; host bits are cleared (with a problem reported), as older API servers did. */
export function parseCIDR(text: string): Parsed<CIDR> {
  const slash = text.indexOf("/");
  if (slash < 0) return { ok: false, problems: [CIDR_EXAMPLE] };
  const r = parseRaw(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!r || !/^[0-9]{1,3}$/.test(prefixText)) return { ok: false, problems: [CIDR_EXAMPLE] };
  let prefix = Number(prefixText);
  if (prefix > (r.family === 4 ? 32 : 128)) return { ok: false, problems: [CIDR_EXAMPLE] };
  const problems: string[] = [];
  if (r.raw.leadingZeros || (prefixText.length > 1 && prefixText[0] === "0")) problems.push(LEADING_ZEROS);
  let bytes = r.raw.bytes;
  let family = r.family;
  if (isV4Mapped(bytes)) {
    problems.push(IPV4_MAPPED);
    if (prefix >= 96) {
      bytes = bytes.slice(12);
      family = 4;
      prefix -= 96;
    }
  }
  const masked = maskBytes(bytes, prefix);
  if (masked.some((b, i) => b !== bytes[i])) problems.push(HOST_BITS);
  return { ok: true, value: { family, bytes: masked, prefix, text: `${formatIP(masked)}/${prefix}` }, problems };
}

export function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

/** Does the CIDR contain the address? Families never mix (0.0.0.0/0 covers no IPv6 address). */
export function cidrContains(cidr: CIDR, ip: IPAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const masked = maskBytes(ip.bytes, cidr.prefix);
  return masked.every((b, i) => b === cidr.bytes[i]);
}

/** Is `inner` a strict subset of `outer` (same family, longer prefix, inside)? */
export function cidrStrictlyContains(outer: CIDR, inner: CIDR): boolean {
  if (outer.family !== inner.family || inner.prefix <= outer.prefix) return false;
  const masked = maskBytes(inner.bytes, outer.prefix);
  return masked.every((b, i) => b === outer.bytes[i]);
}

/** parseIP for callers that have already validated their input: throws a RangeError otherwise. */
export function toIPAddress(text: string): IPAddress {
  const r = parseIP(text);
  if (!r.ok) throw new RangeError(`not an IP address: ${JSON.stringify(text)}`);
  return r.value;
}

/** parseCIDR for callers that have already validated their input: throws a RangeError otherwise. */
export function toCIDR(text: string): CIDR {
  const r = parseCIDR(text);
  if (!r.ok) throw new RangeError(`not a CIDR: ${JSON.stringify(text)}`);
  return r.value;
}
