import { describe, expect, it } from "vitest";
import { checkWebhookUrl, forbiddenAddressReason, type Resolver, systemResolver } from "./address-policy.js";

describe("forbiddenAddressReason", () => {
  const cases: Array<[ip: string, reason: string | null]> = [
    // IPv4
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "carrier_grade_nat"],
    ["100.127.255.255", "carrier_grade_nat"],
    ["169.254.0.1", "link_local"],
    ["169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.255", "benchmarking"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    // public IPv4, including the neighbours of forbidden ranges
    ["8.8.8.8", null],
    ["1.1.1.1", null],
    ["93.184.215.14", null],
    ["172.15.255.255", null],
    ["172.32.0.0", null],
    ["100.63.255.255", null],
    ["100.128.0.0", null],
    ["11.0.0.1", null],
    ["198.20.0.1", null],
    ["223.255.255.255", null],
    // IPv6
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fe80::1", "link_local"],
    ["febf::1", "link_local"],
    ["fe80::1%eth0", "link_local"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["ff0e::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["100::1", "reserved"],
    ["4000::1", "reserved"],
    ["[::1]", "loopback"],
    // IPv4 inside IPv6
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["0:0:0:0:0:ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:0:7f00:1", "loopback"],
    ["::127.0.0.1", "loopback"],
    ["::7f00:1", "loopback"],
    ["::8.8.8.8", "reserved"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["64:ff9b::c0a8:101", "private"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:a00:1::", "private"],
    ["2002:a9fe:a9fe::1", "metadata"],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"], // Teredo, client 127.0.0.1 inverted
    // public IPv6 and IPv6 forms of public IPv4
    ["2606:4700:4700::1111", null],
    ["2a00:1450:4001:80b::200e", null],
    ["::ffff:8.8.8.8", null],
    ["64:ff9b::808:808", null],
    ["2002:808:808::1", null],
    // not addresses
    ["localhost", "invalid_address"],
    ["0x7f.1", "invalid_address"],
    ["", "invalid_address"],
  ];

  it.each(cases)("%s → %s", (ip, reason) => {
    expect(forbiddenAddressReason(ip)).toBe(reason);
  });
});

const resolverOf =
  (table: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

const resolve = resolverOf({
  "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "internal.example.com": ["10.0.0.7"],
  "sneaky.example.com": ["93.184.215.14", "127.0.0.1"],
  "metadata.example.com": ["169.254.169.254"],
  "v6-loopback.example.com": ["::1"],
  "empty.example.com": [],
});

describe("checkWebhookUrl", () => {
  const strict = { allowPrivate: false, resolve };

  it("accepts http and https URLs whose every address is public", async () => {
    expect(await checkWebhookUrl("https://hooks.example.com/voltasis", strict)).toEqual({ ok: true });
    expect(await checkWebhookUrl("http://hooks.example.com:8080/x?y=1", strict)).toEqual({ ok: true });
    expect(await checkWebhookUrl("https://93.184.215.14/hook", strict)).toEqual({ ok: true });
    expect(await checkWebhookUrl("https://[2606:4700:4700::1111]/hook", strict)).toEqual({ ok: true });
  });

  it.each([
    ["ftp://hooks.example.com/", "scheme"],
    ["file:///etc/passwd", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["gopher://hooks.example.com/", "scheme"],
    ["https://user:pass@hooks.example.com/", "credentials"],
    ["https://user@hooks.example.com/", "credentials"],
    ["https://:secret@hooks.example.com/", "credentials"],
    ["not a url", "invalid_url"],
    ["/relative/path", "invalid_url"],
    ["https://nowhere.example.com/", "unresolvable"],
    ["https://empty.example.com/", "unresolvable"],
  ])("refuses %s (%s)", async (url, reason) => {
    const result = await checkWebhookUrl(url, strict);
    expect(result).toMatchObject({ ok: false, reason, message: expect.any(String) });
  });

  it.each([
    ["http://127.0.0.1/", "loopback"],
    ["http://127.0.0.1:3000/hook", "loopback"],
    ["http://2130706433/", "loopback"], // decimal
    ["http://0x7f.1/", "loopback"], // hex and short form
    ["http://0x7f000001/", "loopback"],
    ["http://017700000001/", "loopback"], // octal
    ["http://0177.0.0.1/", "loopback"],
    ["http://127.1/", "loopback"],
    ["http://0/", "unspecified"],
    ["http://[::1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[::ffff:7f00:1]/", "loopback"],
    ["http://[64:ff9b::7f00:1]/", "loopback"],
    ["http://[2002:7f00:1::]/", "loopback"],
    ["http://10.1.2.3/", "private"],
    ["http://192.168.0.10/", "private"],
    ["http://[fd00::1]/", "private"],
    ["http://169.254.169.254/latest/meta-data/", "metadata"],
    ["http://[fd00:ec2::254]/latest/meta-data/", "metadata"],
    ["http://100.100.100.200/", "metadata"],
    ["http://[fe80::1]/", "link_local"],
    ["http://100.64.1.1/", "carrier_grade_nat"],
    ["http://internal.example.com/", "private"],
    ["http://sneaky.example.com/", "loopback"], // one forbidden address among public ones
    ["http://metadata.example.com/", "metadata"],
    ["http://v6-loopback.example.com/", "loopback"],
  ])("refuses %s as %s when private addresses are not allowed", async (url, reason) => {
    const result = await checkWebhookUrl(url, strict);
    expect(result).toMatchObject({ ok: false, reason });
  });

  it("explains the refusal with the host and the address", async () => {
    expect(await checkWebhookUrl("http://internal.example.com/", strict)).toEqual({
      ok: false,
      reason: "private",
      message:
        "internal.example.com resolves to 10.0.0.7, a private address; webhooks may only target public addresses",
    });
    expect(await checkWebhookUrl("http://0x7f.1/", strict)).toEqual({
      ok: false,
      reason: "loopback",
      message: "127.0.0.1 is a loopback address; webhooks may only target public addresses",
    });
  });

  it("checks IP literals without DNS", async () => {
    const calls: string[] = [];
    const counting: Resolver = async (hostname) => {
      calls.push(hostname);
      return [];
    };
    await checkWebhookUrl("http://127.0.0.1/", { allowPrivate: false, resolve: counting });
    await checkWebhookUrl("http://[::1]/", { allowPrivate: false, resolve: counting });
    expect(await checkWebhookUrl("http://8.8.8.8/", { allowPrivate: false, resolve: counting })).toEqual({
      ok: true,
    });
    expect(calls).toEqual([]);
  });

  it("skips only the address check when private addresses are allowed", async () => {
    const relaxed = { allowPrivate: true, resolve };
    expect(await checkWebhookUrl("http://127.0.0.1:3000/hook", relaxed)).toEqual({ ok: true });
    expect(await checkWebhookUrl("http://[::1]/", relaxed)).toEqual({ ok: true });
    expect(await checkWebhookUrl("http://internal.example.com/", relaxed)).toEqual({ ok: true });
    expect(await checkWebhookUrl("ftp://internal.example.com/", relaxed)).toMatchObject({ reason: "scheme" });
    expect(await checkWebhookUrl("http://u:p@127.0.0.1/", relaxed)).toMatchObject({ reason: "credentials" });
    expect(await checkWebhookUrl("http://nowhere.example.com/", relaxed)).toMatchObject({
      reason: "unresolvable",
    });
  });

  it("uses a custom policy when given one", async () => {
    const policy = (ip: string) => (ip === "127.0.0.1" ? null : forbiddenAddressReason(ip));
    expect(await checkWebhookUrl("http://127.0.0.1/", { allowPrivate: false, policy })).toEqual({ ok: true });
    expect(await checkWebhookUrl("http://[::1]/", { allowPrivate: false, policy })).toMatchObject({
      reason: "loopback",
    });
  });

  it("resolves names with the system resolver by default", async () => {
    const addresses = await systemResolver("localhost");
    expect(addresses.length).toBeGreaterThan(0);
    for (const a of addresses) expect(forbiddenAddressReason(a.address)).toBe("loopback");
    expect(await checkWebhookUrl("http://localhost:3000/", { allowPrivate: false })).toMatchObject({
      ok: false,
      reason: "loopback",
    });
  });
});
