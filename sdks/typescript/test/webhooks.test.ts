import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  unwrapWebhook,
  Voltasis,
  verifyWebhookSignature,
  type WebhookHeaders,
  WebhookVerificationError,
} from "../src/index.js";

/**
 * Deliveries signed as the API signs them (SPEC §7), by implementations other than the SDK's: the
 * Standard Webhooks reference library and node:crypto for X-Signature.
 */
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const BODY = JSON.stringify({
  id: "evt_1",
  event: "tag.created",
  timestamp: "2024-01-01T00:00:00Z",
  organization_id: "org_1",
  data: { id: "tag_1", name: "urgent" },
});

function signed(body = BODY, at = new Date(), secret = SECRET): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-signature": createHmac("sha256", secret).update(body).digest("hex"),
    "webhook-id": "evt_1",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign("evt_1", at, body),
  };
}

const refused = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error) => (error instanceof WebhookVerificationError ? "refused" : error),
  );

describe("Standard Webhooks (the default scheme)", () => {
  it("accepts a delivery signed with the secret, from Headers or Node's header object", async () => {
    await expect(verifyWebhookSignature(BODY, signed(), SECRET)).resolves.toBeUndefined();
    await expect(verifyWebhookSignature(BODY, new Headers(signed()), SECRET)).resolves.toBeUndefined();
    await expect(
      verifyWebhookSignature(new TextEncoder().encode(BODY), signed(), SECRET),
    ).resolves.toBeUndefined();
  });

  it("refuses a changed body, a wrong secret, missing headers and a malformed signature", async () => {
    const other = `whsec_${randomBytes(24).toString("base64")}`;
    const { "webhook-id": _id, ...noId } = signed();
    expect(await refused(verifyWebhookSignature(BODY.replace("urgent", "urgent!"), signed(), SECRET))).toBe(
      "refused",
    );
    expect(await refused(verifyWebhookSignature(BODY, signed(), other))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, noId, SECRET))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, { ...signed(), "webhook-id": "evt_2" }, SECRET))).toBe(
      "refused",
    );
    expect(
      await refused(verifyWebhookSignature(BODY, { ...signed(), "webhook-signature": "v1,@@@" }, SECRET)),
    ).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, signed(), ""))).toBe("refused");
  });

  it("refuses a timestamp more than 5 minutes off (a replay), either way; the tolerance is adjustable", async () => {
    const now = new Date();
    const sixMinutes = 6 * 60 * 1000;
    const old = signed(BODY, new Date(now.getTime() - sixMinutes));
    const future = signed(BODY, new Date(now.getTime() + sixMinutes));
    expect(await refused(verifyWebhookSignature(BODY, old, SECRET, { now }))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, future, SECRET, { now }))).toBe("refused");
    const fourMinutes = signed(BODY, new Date(now.getTime() - 4 * 60 * 1000));
    expect(await refused(verifyWebhookSignature(BODY, fourMinutes, SECRET, { now }))).toBe("accepted");
    expect(await refused(verifyWebhookSignature(BODY, old, SECRET, { now, toleranceSeconds: 600 }))).toBe(
      "accepted",
    );
  });

  it("accepts any of several signatures (a secret's rotation signs with both)", async () => {
    const previous = `whsec_${randomBytes(24).toString("base64")}`;
    const headers = signed();
    const both = `${new Webhook(previous).sign("evt_1", new Date(), BODY)} ${headers["webhook-signature"]}`;
    await expect(
      verifyWebhookSignature(BODY, { ...headers, "webhook-signature": both }, SECRET),
    ).resolves.toBe(undefined);
    await expect(
      verifyWebhookSignature(BODY, { ...headers, "webhook-signature": both }, previous),
    ).resolves.toBe(undefined);
  });

  it("does not fall back to X-Signature, which cannot refuse a replay", async () => {
    const onlyX = { "x-signature": signed()["x-signature"] } as WebhookHeaders;
    expect(await refused(verifyWebhookSignature(BODY, onlyX, SECRET))).toBe("refused");
  });
});

describe("X-Signature (seed 003)", () => {
  const scheme = { scheme: "x-signature" } as const;

  it("accepts hex HMAC-SHA256 of the raw body keyed by the whole whsec_ string", async () => {
    await expect(verifyWebhookSignature(BODY, signed(), SECRET, scheme)).resolves.toBeUndefined();
    const upper = { "X-Signature": signed()["x-signature"]?.toUpperCase() };
    await expect(verifyWebhookSignature(BODY, upper, SECRET, scheme)).resolves.toBeUndefined();
  });

  it("refuses a changed body, a wrong secret, a secret without its whsec_ prefix and no header", async () => {
    expect(await refused(verifyWebhookSignature(`${BODY} `, signed(), SECRET, scheme))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, signed(), `${SECRET}x`, scheme))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, signed(), SECRET.slice(6), scheme))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, {}, SECRET, scheme))).toBe("refused");
    expect(await refused(verifyWebhookSignature(BODY, { "x-signature": "zz" }, SECRET, scheme))).toBe(
      "refused",
    );
  });
});

describe("unwrap", () => {
  it("verifies, then parses the event; client.webhooks.unwrap is the same", async () => {
    const event = await unwrapWebhook(BODY, signed(), SECRET);
    expect(event).toMatchObject({ id: "evt_1", event: "tag.created", data: { name: "urgent" } });
    const client = new Voltasis({ apiKey: "k" });
    await expect(client.webhooks.unwrap(BODY, signed(), SECRET, { scheme: "x-signature" })).resolves.toEqual(
      event,
    );
    expect(await refused(client.webhooks.verifySignature("{}", signed(), SECRET))).toBe("refused");
  });

  it("refuses parsed JSON with a message saying to pass the raw body", async () => {
    await expect(unwrapWebhook(JSON.parse(BODY), signed(), SECRET)).rejects.toThrow(/raw body/);
  });
});
