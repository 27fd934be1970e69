import { useSyncExternalStore } from "react";
import { fieldError, formError } from "../api/errors";
import { acceptInvitation, session } from "../api/session";
import { navigate } from "../router";
import { Centered } from "../ui/centered";
import { Field, FormError } from "../ui/field";
import { Page } from "../ui/page";
import { text, useSubmit } from "../ui/use-submit";

/** `/accept-invitation#token=…`: the link an invitation gives (the token stays out of server logs). */
export function AcceptInvitationScreen() {
  const state = useSyncExternalStore(session.subscribe, session.get);
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const signedIn = state.status === "signed-in";
  const { onSubmit, problem, pending } = useSubmit(async (form) => {
    await acceptInvitation(
      signedIn
        ? { token }
        : { token, name: text(form, "name"), password: String(form.get("password") ?? "") || undefined },
    );
    navigate("/time", { replace: true });
  });
  return (
    <Centered>
      <Page title="Accept invitation">
        {!token && <p className="error">This link has no invitation token. Ask for a new invitation.</p>}
        <form className="card stack" onSubmit={onSubmit} noValidate>
          {signedIn ? (
            <p>You are signed in as {state.user.email}: accepting adds this account to the organization.</p>
          ) : (
            <>
              <p>Choose your name and a password for your new account.</p>
              <Field label="Your name" error={fieldError(problem, "name")}>
                {(control) => <input {...control} name="name" autoComplete="name" required />}
              </Field>
              <Field label="Password" hint="At least 8 characters" error={fieldError(problem, "password")}>
                {(control) => (
                  <input {...control} name="password" type="password" autoComplete="new-password" required />
                )}
              </Field>
            </>
          )}
          <FormError message={formError(problem, signedIn ? [] : ["name", "password"])} />
          <button type="submit" disabled={pending || !token}>
            Accept invitation
          </button>
        </form>
      </Page>
    </Centered>
  );
}
