/**
 * The name syntaxes of k8s.io/apimachinery/pkg/util/validation: DNS-1123 labels and
 * subdomains, IANA service names (named ports) and port numbers. Each check returns the list
 * of detail messages, empty when valid, in the API server's wording, so a caller can turn
 * every failed rule into its own field error as the server does.
 */

const encoder = new TextEncoder();

/** Length in UTF-8 bytes: the API server's limits are Go `len()`, not UTF-16 code units. */
export function byteLength(s: string): number {
  return encoder.encode(s).length;
}

export function maxLenError(n: number): string {
  return `must be no more than ${n} bytes`;
}

export const EMPTY_ERROR = "must be non-empty";

/** Go's RegexError, including its doubled space before each " or ". */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const eg = examples.map((e) => `'${e}', `).join(" or ");
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}

/** Go's `MatchString` on `^(?:fmt)$`: the whole string, and `$` never matches before a final newline. */
export function anchored(fmt: string): RegExp {
  return new RegExp(`^(?:${fmt})$`);
}

export const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
export const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

const dns1123Label = anchored(DNS1123_LABEL_FMT);
const dns1123Subdomain = anchored(DNS1123_SUBDOMAIN_FMT);

const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
  "and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
  "and must start and end with an alphanumeric character";

export function isDNS1123Label(value: string): string[] {
  if (byteLength(value) > DNS1123_LABEL_MAX) return [maxLenError(DNS1123_LABEL_MAX)];
  if (dns1123Label.test(value)) return [];
  // Within the length limit, a valid subdomain that is not a label can only be failing on dots.
  if (dns1123Subdomain.test(value)) return ["must not contain dots"];
  return [regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc")];
}

/** No per-part limit: a 253-byte subdomain without dots is valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!dns1123Subdomain.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

const portNameCharset = /^[-a-z0-9]+$/;
const portNameOneLetter = /[a-z]/;
export const PORT_NAME_MAX = 15;

/** IANA_SVC_NAME (RFC 6335): every failed rule is reported, as IsValidPortName does. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > PORT_NAME_MAX) errs.push(maxLenError(PORT_NAME_MAX));
  if (!portNameCharset.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!portNameOneLetter.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.startsWith("-") || port.endsWith("-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];
}

/** Object names may be given as `generateName` prefixes, whose trailing `-` is allowed. */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
