import { promises as dns } from "node:dns";
import { BlockList, isIP } from "node:net";

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

/** Resolves like the operating system does (hosts file, then DNS), every address in its own order. */
export const systemResolver: Resolver = async (hostname) => {
  const addresses = await dns.lookup(hostname, { all: true, verbatim: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** Decides whether a webhook may connect to an IP: a reason code when not, null when it may. */
export type AddressPolicy = (ip: string) => string | null;

type Rule = readonly [reason: string, network: string, prefix: number];

// Order matters: the first matching rule names the reason, so the narrow ranges come first.
const IPV4_RULES: Rule[] = [
  ["metadata", "169.254.169.254", 32], // AWS, GCP, Azure, OpenStack instance metadata
  ["metadata", "100.100.100.200", 32], // Alibaba Cloud instance metadata
  ["broadcast", "255.255.255.255", 32],
  ["unspecified", "0.0.0.0", 8],
  ["loopback", "127.0.0.0", 8],
  ["private", "10.0.0.0", 8],
  ["private", "172.16.0.0", 12],
  ["private", "192.168.0.0", 16],
  ["carrier_grade_nat", "100.64.0.0", 10],
  ["link_local", "169.254.0.0", 16],
  ["reserved", "192.0.0.0", 24], // IETF protocol assignments (RFC 6890)
  ["documentation", "192.0.2.0", 24],
  ["reserved", "192.88.99.0", 24], // 6to4 relay anycast
  ["benchmarking", "198.18.0.0", 15],
  ["documentation", "198.51.100.0", 24],
  ["documentation", "203.0.113.0", 24],
  ["multicast", "224.0.0.0", 4],
  ["reserved", "240.0.0.0", 4],
];

const IPV6_RULES: Rule[] = [
  ["metadata", "fd00:ec2::254", 128], // AWS instance metadata over IPv6
  ["unspecified", "::", 128],
  ["loopback", "::1", 128],
  ["reserved", "100::", 64], // discard-only
  ["private", "64:ff9b:1::", 48], // local-use NAT64 (RFC 8215)
  ["benchmarking", "2001:2::", 48],
  ["documentation", "2001:db8::", 32],
  ["private", "fc00::", 7], // unique local
  ["link_local", "fe80::", 10],
  ["private", "fec0::", 10], // deprecated site-local
  ["multicast", "ff00::", 8],
];

function compile(rules: Rule[], family: "ipv4" | "ipv6"): Array<{ reason: string; list: BlockList }> {
  return rules.map(([reason, network, prefix]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { reason, list };
  });
}

const ipv4Rules = compile(IPV4_RULES, "ipv4");
const ipv6Rules = compile(IPV6_RULES, "ipv6");

function ipv4Reason(ip: string): string | null {
  return ipv4Rules.find((rule) => rule.list.check(ip, "ipv4"))?.reason ?? null;
}

/** The 16 bytes of a valid IPv6 address (isIP already said so). */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    tail.push(
      ...text
        .slice(lastColon + 1)
        .split(".")
        .map(Number),
    );
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = "", rest] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w: number) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

const ipv4At = (bytes: number[], offset: number) => bytes.slice(offset, offset + 4).join(".");
const startsWith = (bytes: number[], prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * The IPv4 address an IPv6 address stands for, when the packet would end up at that IPv4 host:
 * mapped and compatible (::ffff:a.b.c.d, ::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96),
 * 6to4 (2002::/16) and Teredo (2001::/32, client address stored inverted).
 */
function embeddedIpv4(bytes: number[]): string | null {
  const zeros = (n: number) => Array<number>(n).fill(0);
  if (startsWith(bytes, [...zeros(10), 0xff, 0xff])) return ipv4At(bytes, 12);
  if (startsWith(bytes, [...zeros(8), 0xff, 0xff, 0, 0])) return ipv4At(bytes, 12);
  if (startsWith(bytes, zeros(12))) return ipv4At(bytes, 12);
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, ...zeros(8)])) return ipv4At(bytes, 12);
  if (startsWith(bytes, [0x20, 0x02])) return ipv4At(bytes, 2);
  if (startsWith(bytes, [0x20, 0x01, 0, 0]))
    return bytes
      .slice(12, 16)
      .map((b) => b ^ 0xff)
      .join(".");
  return null;
}

function ipv6Reason(ip: string): string | null {
  const ruled = ipv6Rules.find((rule) => rule.list.check(ip, "ipv6"))?.reason;
  if (ruled) return ruled;
  const bytes = ipv6Bytes(ip);
  const embedded = embeddedIpv4(bytes);
  if (embedded !== null) {
    const reason = ipv4Reason(embedded);
    if (reason) return reason;
    // ::a.b.c.d is deprecated (RFC 4291) and routes nowhere useful; never a real webhook target.
    if (bytes.slice(0, 12).every((b) => b === 0)) return "reserved";
    return null;
  }
  // Only 2000::/3 is allocated as global unicast; every other range is special-purpose.
  if (((bytes[0] ?? 0) & 0xe0) !== 0x20) return "reserved";
  return null;
}

/** Why a webhook may not connect to this IP, or null when it is a public address. */
export function forbiddenAddressReason(ip: string): string | null {
  const bare = ip.replace(/^\[(.*)\]$/, "$1");
  const withoutZone = bare.split("%")[0] ?? "";
  // A zone id (fe80::1%eth0) only means something on the local link.
  if (withoutZone !== bare) return "link_local";
  const version = isIP(withoutZone);
  if (version === 4) return ipv4Reason(withoutZone);
  if (version === 6) return ipv6Reason(withoutZone);
  return "invalid_address";
}

const DESCRIPTIONS: Record<string, string> = {
  unspecified: "an unspecified",
  loopback: "a loopback",
  private: "a private",
  carrier_grade_nat: "a carrier-grade NAT",
  link_local: "a link-local",
  metadata: "a cloud metadata",
  multicast: "a multicast",
  broadcast: "a broadcast",
  benchmarking: "a benchmarking",
  documentation: "a documentation",
  reserved: "a reserved",
  invalid_address: "an invalid",
};

/** The kind of address a reason code stands for: "a private address". */
export function describeReason(reason: string): string {
  return `${DESCRIPTIONS[reason] ?? `a forbidden (${reason})`} address`;
}

/** Why a host may not be used, for users and logs: "10.0.0.1 is a private address". */
export function describeForbiddenAddress(host: string, ip: string, reason: string): string {
  return host === ip
    ? `${ip} is ${describeReason(reason)}`
    : `${host} resolves to ${ip}, ${describeReason(reason)}`;
}

/** The host of a URL without IPv6 brackets, as net.connect and the policy expect it. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Checked when a webhook is created or its URL changed. */
export async function checkWebhookUrl(
  url: string,
  options: { allowPrivate: boolean; resolve?: Resolver; policy?: AddressPolicy },
): Promise<{ ok: true } | { ok: false; reason: string; message: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "invalid_url", message: "Must be an absolute http:// or https:// URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return {
      ok: false,
      reason: "scheme",
      message: `Only http and https URLs are allowed, not ${parsed.protocol}`,
    };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return {
      ok: false,
      reason: "credentials",
      message: "The URL may not contain a username or password; verify requests with the signature instead",
    };
  }
  const host = urlHost(parsed);
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await (options.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      return {
        ok: false,
        reason: "unresolvable",
        message: `The host ${host} does not resolve to an address`,
      };
    }
  }
  if (options.allowPrivate) return { ok: true };
  const policy = options.policy ?? forbiddenAddressReason;
  for (const address of addresses) {
    const reason = policy(address);
    if (reason !== null) {
      return {
        ok: false,
        reason,
        message: `${describeForbiddenAddress(host, address, reason)}; webhooks may only target public addresses`,
      };
    }
  }
  return { ok: true };
}
