import { useQuery } from "@tanstack/react-query";
import type { Webhook, WebhookWithSecret } from "@voltasis/sdk";
import { useState } from "react";
import { all, api } from "../api/client";
import { problemOf } from "../api/errors";
import { Empty, Loading } from "../ui/empty";
import { FormError } from "../ui/field";
import { Page } from "../ui/page";
import { SecretOnce } from "../ui/secret";
import { useChange } from "../ui/use-change";
import { AddWebhook } from "./webhooks/add-webhook";
import { Deliveries } from "./webhooks/deliveries";

export function WebhooksScreen() {
  const webhooks = useQuery({
    queryKey: ["webhooks"],
    queryFn: () => all(api.webhooks.list({ per_page: 100 })),
  });
  return (
    <Page title="Webhooks">
      <AddWebhook />
      {webhooks.isPending && <Loading what="webhooks" />}
      {webhooks.error && <p className="error">{problemOf(webhooks.error)?.message}</p>}
      {webhooks.data?.length === 0 && (
        <Empty>No webhooks yet. Add one above to have Voltasis POST events to your endpoint.</Empty>
      )}
      {webhooks.data?.map((webhook) => (
        <WebhookPanel key={webhook.id} webhook={webhook} />
      ))}
    </Page>
  );
}

function WebhookPanel({ webhook }: { webhook: Webhook }) {
  const [secret, setSecret] = useState<WebhookWithSecret>();
  const test = useChange(() => api.webhooks.test(webhook.id), ["deliveries"]);
  const rotate = useChange(() => api.webhooks.rotateSecret(webhook.id), ["webhooks"]);
  const toggle = useChange(
    () => api.webhooks.update(webhook.id, { enabled: !webhook.enabled }),
    ["webhooks"],
  );
  const remove = useChange(() => api.webhooks.delete(webhook.id), ["webhooks"]);
  const problem = problemOf(test.error ?? rotate.error ?? toggle.error ?? remove.error);
  const headingId = `webhook-${webhook.id}`;
  return (
    <section className="panel stack" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId} className="mono break">
          {webhook.url}
        </h2>
        <span className={webhook.enabled ? "status-ok" : "status-bad"}>
          {webhook.enabled
            ? "Enabled"
            : `Disabled${webhook.disabled_reason === "failing" ? " (failing)" : ""}`}
        </span>
      </div>
      {webhook.description && <p>{webhook.description}</p>}
      <p className="hint">Events: {webhook.events.join(", ")}</p>
      <div className="buttons">
        <button
          type="button"
          onClick={() => test.mutate(undefined)}
          disabled={test.isPending || !webhook.enabled}
        >
          Send test event
        </button>
        <button
          type="button"
          className="secondary"
          onClick={async () => setSecret(await rotate.mutateAsync(undefined))}
        >
          Rotate secret
        </button>
        <button type="button" className="secondary" onClick={() => toggle.mutate(undefined)}>
          {webhook.enabled ? "Disable" : "Enable"}
        </button>
        <button type="button" className="danger" onClick={() => remove.mutate(undefined)}>
          Delete webhook
        </button>
      </div>
      <FormError message={problem?.message} />
      {secret && (
        <SecretOnce
          title="New signing secret"
          secret={secret.secret}
          copyLabel="Copy secret"
          onDone={() => setSecret(undefined)}
        />
      )}
      <h3>Deliveries</h3>
      <Deliveries webhookId={webhook.id} />
    </section>
  );
}
