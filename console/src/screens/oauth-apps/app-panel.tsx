import type { OAuthApp, OAuthAppWithSecret } from "@voltasis/sdk";
import { useState } from "react";
import { liveApi } from "../../api/client";
import { fieldError, formError, problemOf } from "../../api/errors";
import { Field, FormError } from "../../ui/field";
import { formatDateTime } from "../../ui/format";
import { SecretOnce } from "../../ui/secret";
import { useChange } from "../../ui/use-change";
import { text, useSubmit } from "../../ui/use-submit";
import { onRedirectUris, RedirectUrisField, redirectUrisOf } from "./redirect-uris";

/** One registered app: what it is, and editing, rotating its secret and deleting it. */
export function AppPanel({ app }: { app: OAuthApp }) {
  const [mode, setMode] = useState<"view" | "edit" | "confirm-delete">("view");
  const [secret, setSecret] = useState<OAuthAppWithSecret>();
  const rotate = useChange(() => liveApi.oauthApps.rotateSecret(app.id), ["oauth-apps"]);
  const remove = useChange(() => liveApi.oauthApps.delete(app.id), ["oauth-apps", "oauth-grants"]);
  const problem = problemOf(rotate.error ?? remove.error);
  const headingId = `oauth-app-${app.id}`;
  return (
    <section className="panel stack" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>{app.name}</h2>
        <span className="hint">{app.client_type === "public" ? "Public" : "Confidential"}</span>
      </div>
      <dl className="totals">
        <div>
          <dt>Client ID</dt>
          <dd className="mono break">{app.client_id}</dd>
        </div>
        <div>
          <dt>Client secret</dt>
          <dd className="mono">{app.secret_last4 ? `…${app.secret_last4}` : "None (PKCE alone)"}</dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>{formatDateTime(app.created_at)}</dd>
        </div>
      </dl>
      {mode === "edit" ? (
        <EditApp app={app} onClose={() => setMode("view")} />
      ) : (
        <>
          <div>
            <h3>Redirect URIs</h3>
            <ul>
              {app.redirect_uris.map((uri) => (
                <li key={uri} className="mono break">
                  {uri}
                </li>
              ))}
            </ul>
          </div>
          <div className="buttons">
            <button type="button" className="secondary" onClick={() => setMode("edit")}>
              Edit<span className="visually-hidden"> {app.name}</span>
            </button>
            {app.client_type === "confidential" && (
              <button
                type="button"
                className="secondary"
                disabled={rotate.isPending}
                onClick={async () => setSecret(await rotate.mutateAsync(undefined))}
              >
                Rotate secret<span className="visually-hidden"> of {app.name}</span>
              </button>
            )}
            <button
              type="button"
              className="danger"
              aria-expanded={mode === "confirm-delete"}
              onClick={() => setMode("confirm-delete")}
            >
              Delete<span className="visually-hidden"> {app.name}</span>
            </button>
          </div>
        </>
      )}
      {mode === "confirm-delete" && (
        <section className="stack" aria-label={`Delete ${app.name}?`}>
          <p>
            Delete “{app.name}”? Its client ID stops working, and so does every access people gave it: its
            tokens end at once. This cannot be undone.
          </p>
          <div className="buttons">
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate(undefined)}
            >
              Delete app
            </button>
            <button type="button" className="secondary" onClick={() => setMode("view")}>
              Keep it
            </button>
          </div>
        </section>
      )}
      <FormError message={problem?.message} />
      {secret?.client_secret && (
        <SecretOnce
          title={`New client secret of "${app.name}"`}
          secret={secret.client_secret}
          copyLabel="Copy secret"
          onDone={() => setSecret(undefined)}
        />
      )}
    </section>
  );
}

function EditApp({ app, onClose }: { app: OAuthApp; onClose: () => void }) {
  const [uris, setUris] = useState<string[]>([]);
  const update = useChange(
    (form: FormData) =>
      liveApi.oauthApps.update(app.id, {
        name: text(form, "name") ?? "",
        redirect_uris: redirectUrisOf(form),
      }),
    ["oauth-apps"],
  );
  const submit = useSubmit(async (form) => {
    setUris(redirectUrisOf(form));
    await update.mutateAsync(form);
    onClose();
  });
  const problem = onRedirectUris(submit.problem, uris);
  return (
    <form className="stack" onSubmit={submit.onSubmit} noValidate aria-label={`Edit ${app.name}`}>
      <Field label="App name" error={fieldError(problem, "name")}>
        {(control) => <input {...control} name="name" defaultValue={app.name} required />}
      </Field>
      <RedirectUrisField
        error={fieldError(problem, "redirect_uris")}
        defaultValue={app.redirect_uris.join("\n")}
      />
      <FormError message={formError(problem, ["name", "redirect_uris"])} />
      <div className="buttons">
        <button type="submit" disabled={submit.pending}>
          Save app
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
