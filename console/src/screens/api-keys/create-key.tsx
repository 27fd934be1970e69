import type { ApiKeyWithSecret } from "@voltasis/sdk";
import { useState } from "react";
import { liveApi } from "../../api/client";
import { fieldError, formError } from "../../api/errors";
import { Field, FormError } from "../../ui/field";
import { SecretOnce } from "../../ui/secret";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";
import { COARSE_SCOPES, FINE_SCOPES, type Scope } from "./scopes";

const FIELDS = ["name", "scopes", "expires_at", "mode"];

/** The form of "Settings > API Keys > Create New API Key" (seed 001), and the secret, once. */
export function CreateKey() {
  const [created, setCreated] = useState<ApiKeyWithSecret>();
  const create = useChange(
    (form: FormData) => {
      const expires = text(form, "expires_at");
      return liveApi.apiKeys.create({
        name: text(form, "name") ?? "",
        scopes: form.getAll("scopes").map(String) as Scope[],
        mode: form.get("mode") === "test" ? "test" : "live",
        expires_at: expires
          ? new Date(`${expires}T23:59:59`).toISOString().replace(/\.\d{3}Z$/, "Z")
          : undefined,
      });
    },
    ["api-keys"],
  );
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    setCreated(await create.mutateAsync(form));
    element.reset();
  });
  const scopesError = fieldError(problem, "scopes");
  return (
    <section className="panel" aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create an API key</h2>
      {created && (
        <SecretOnce
          title={`API key "${created.name}"`}
          secret={created.secret}
          copyLabel="Copy key"
          onDone={() => setCreated(undefined)}
        />
      )}
      <form className="stack" onSubmit={onSubmit} noValidate aria-label="New API key">
        <Field
          label="Key name"
          hint="What uses it, e.g. “Invoicing sync”"
          error={fieldError(problem, "name")}
        >
          {(control) => <input {...control} name="name" required />}
        </Field>
        <fieldset aria-describedby={scopesError ? "scopes-error" : undefined}>
          <legend>Scopes</legend>
          {COARSE_SCOPES.map(([scope, description]) => (
            <label key={scope} className="check">
              <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === "read"} />
              <span>
                {scope} <span className="hint">({description})</span>
              </span>
            </label>
          ))}
          <details>
            <summary>Fine-grained scopes</summary>
            {FINE_SCOPES.map(({ resource, scopes }) => (
              <div key={resource}>
                {scopes.map((scope) => (
                  <label key={scope} className="check">
                    <input type="checkbox" name="scopes" value={scope} />
                    {scope}
                  </label>
                ))}
              </div>
            ))}
          </details>
          {scopesError && (
            <span className="error" id="scopes-error">
              {scopesError}
            </span>
          )}
        </fieldset>
        <div className="row-form">
          <Field
            label="Expires on"
            hint="Leave empty for a key that does not expire"
            error={fieldError(problem, "expires_at")}
          >
            {(control) => <input {...control} type="date" name="expires_at" />}
          </Field>
          <fieldset>
            <legend>Mode</legend>
            <label className="check">
              <input type="radio" name="mode" value="live" defaultChecked />
              Live data
            </label>
            <label className="check">
              <input type="radio" name="mode" value="test" />
              Test data (sandbox)
            </label>
          </fieldset>
        </div>
        <FormError message={formError(problem, FIELDS)} />
        <div>
          <button type="submit" disabled={pending}>
            Create API key
          </button>
        </div>
      </form>
    </section>
  );
}
