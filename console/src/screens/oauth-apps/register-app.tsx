import type { OAuthAppWithSecret } from "@voltasis/sdk";
import { useState } from "react";
import { liveApi } from "../../api/client";
import { fieldError, formError } from "../../api/errors";
import { Field, FormError } from "../../ui/field";
import { SecretOnce } from "../../ui/secret";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";
import { onRedirectUris, RedirectUrisField, redirectUrisOf } from "./redirect-uris";

const FIELDS = ["name", "redirect_uris", "client_type"];

/** Registering a third-party app: its client id, and a confidential app's secret shown once. */
export function RegisterApp() {
  const [created, setCreated] = useState<OAuthAppWithSecret>();
  const [uris, setUris] = useState<string[]>([]);
  const create = useChange(
    (form: FormData) =>
      liveApi.oauthApps.create({
        name: text(form, "name") ?? "",
        redirect_uris: redirectUrisOf(form),
        client_type: form.get("client_type") === "public" ? "public" : "confidential",
      }),
    ["oauth-apps"],
  );
  const submit = useSubmit(async (form, element) => {
    setUris(redirectUrisOf(form));
    setCreated(await create.mutateAsync(form));
    element.reset();
  });
  const problem = onRedirectUris(submit.problem, uris);
  return (
    <section className="panel" aria-labelledby="register-app-heading">
      <h2 id="register-app-heading">Register an app</h2>
      {created && <Registered app={created} onDone={() => setCreated(undefined)} />}
      <form className="stack" onSubmit={submit.onSubmit} noValidate aria-label="New OAuth app">
        <Field
          label="App name"
          hint="People see it when the app asks them for access"
          error={fieldError(problem, "name")}
        >
          {(control) => <input {...control} name="name" required />}
        </Field>
        <RedirectUrisField error={fieldError(problem, "redirect_uris")} />
        <fieldset>
          <legend>Client type</legend>
          <label className="check">
            <input type="radio" name="client_type" value="confidential" defaultChecked />
            <span>
              Confidential <span className="hint">(a server that can keep a client secret)</span>
            </span>
          </label>
          <label className="check">
            <input type="radio" name="client_type" value="public" />
            <span>
              Public <span className="hint">(a single-page or native app: no secret, PKCE alone)</span>
            </span>
          </label>
        </fieldset>
        <FormError message={formError(problem, FIELDS)} />
        <div>
          <button type="submit" disabled={submit.pending}>
            Register app
          </button>
        </div>
      </form>
    </section>
  );
}

function Registered({ app, onDone }: { app: OAuthAppWithSecret; onDone: () => void }) {
  return (
    <section className="stack registered" aria-label={`App "${app.name}" registered`}>
      <p>
        “{app.name}” is registered. Its client ID: <span className="mono break">{app.client_id}</span>
      </p>
      {app.client_secret ? (
        <SecretOnce
          title={`Client secret of "${app.name}"`}
          secret={app.client_secret}
          copyLabel="Copy secret"
          onDone={onDone}
        />
      ) : (
        <div>
          <p className="hint">A public app has no secret: it proves itself with PKCE.</p>
          <button type="button" className="secondary" onClick={onDone}>
            Done
          </button>
        </div>
      )}
    </section>
  );
}
