import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signatureHeaders } from "./signature.js";

const body = JSON.stringify({
  id: "evt_01",
  event: "project.created",
  timestamp: "2024-01-01T12:00:00Z",
  organization_id: "org_01",
  data: { id: "prj_01", name: "Apollo" },
});

describe("newWebhookSecret", () => {
  it("is whsec_ + base64 of 24 random bytes", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});

describe("signatureHeaders", () => {
  const current = newWebhookSecret();
  const previous = newWebhookSecret();
  const headersNow = () =>
    signatureHeaders({ secrets: [current, previous], messageId: "evt_01", timestamp: new Date(), body });

  it("sets X-Signature to the hex HMAC of the raw body keyed with the whole current secret", () => {
    const headers = headersNow();
    expect(headers["X-Signature"]).toBe(createHmac("sha256", current).update(body).digest("hex"));
    expect(headers["X-Signature"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("sets the Standard Webhooks id, timestamp in unix seconds and one v1 signature per secret", () => {
    const timestamp = new Date("2024-01-01T12:00:00.999Z");
    const headers = signatureHeaders({ secrets: [current, previous], messageId: "evt_42", timestamp, body });
    expect(headers["webhook-id"]).toBe("evt_42");
    expect(headers["webhook-timestamp"]).toBe("1704110400");
    const parts = headers["webhook-signature"]?.split(" ") ?? [];
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe(new Webhook(current).sign("evt_42", timestamp, body));
    expect(parts[1]).toBe(new Webhook(previous).sign("evt_42", timestamp, body));
  });

  it("is accepted by the standardwebhooks library with the new secret and with the old one", () => {
    const headers = headersNow();
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("is accepted with a single secret outside a rotation", () => {
    const headers = signatureHeaders({
      secrets: [current],
      messageId: "evt_01",
      timestamp: new Date(),
      body,
    });
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).toThrow();
  });

  it("is rejected for a tampered body or a wrong secret", () => {
    const headers = headersNow();
    const tampered = body.replace("Apollo", "Apollo 2");
    expect(() => new Webhook(current).verify(tampered, headers)).toThrow(/signature/i);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(/signature/i);
    expect(createHmac("sha256", current).update(tampered).digest("hex")).not.toBe(headers["X-Signature"]);
  });

  it("is rejected when the message id was changed", () => {
    const headers = { ...headersNow(), "webhook-id": "evt_other" };
    expect(() => new Webhook(current).verify(body, headers)).toThrow(/signature/i);
  });

  it("is rejected as a replay when the timestamp is older than 5 minutes", () => {
    const stale = new Date(Date.now() - 6 * 60 * 1000);
    const headers = signatureHeaders({ secrets: [current], messageId: "evt_01", timestamp: stale, body });
    expect(() => new Webhook(current).verify(body, headers)).toThrow(/timestamp/i);
  });

  it("refuses to sign without a secret", () => {
    expect(() =>
      signatureHeaders({ secrets: [], messageId: "evt_01", timestamp: new Date(), body }),
    ).toThrow();
  });
});
