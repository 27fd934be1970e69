import type { WebhookWithSecret } from "@voltasis/sdk";
import { useState } from "react";
import { api } from "../../api/client";
import { fieldError, formError } from "../../api/errors";
import { Field, FormError } from "../../ui/field";
import { SecretOnce } from "../../ui/secret";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";
import { EventPicker } from "./event-picker";

const FIELDS = ["url", "description", "events"];

export function AddWebhook() {
  const [created, setCreated] = useState<WebhookWithSecret>();
  const create = useChange(
    (form: FormData) =>
      api.webhooks.create({
        url: text(form, "url") ?? "",
        description: text(form, "description") ?? "",
        events: form.getAll("events").map(String),
      }),
    ["webhooks"],
  );
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    setCreated(await create.mutateAsync(form));
    element.reset();
  });
  return (
    <section className="panel" aria-labelledby="add-webhook-heading">
      <h2 id="add-webhook-heading">Add a webhook</h2>
      {created && (
        <SecretOnce
          title={`Signing secret of ${created.url}`}
          secret={created.secret}
          copyLabel="Copy secret"
          onDone={() => setCreated(undefined)}
        />
      )}
      <form className="stack" onSubmit={onSubmit} noValidate aria-label="New webhook">
        <Field label="Endpoint URL" hint="Where Voltasis POSTs each event" error={fieldError(problem, "url")}>
          {(control) => (
            <input {...control} name="url" type="url" inputMode="url" placeholder="https://" required />
          )}
        </Field>
        <Field label="Description" error={fieldError(problem, "description")}>
          {(control) => <input {...control} name="description" />}
        </Field>
        <EventPicker error={fieldError(problem, "events")} />
        <FormError message={formError(problem, FIELDS)} />
        <div>
          <button type="submit" disabled={pending}>
            Add webhook
          </button>
        </div>
      </form>
    </section>
  );
}
