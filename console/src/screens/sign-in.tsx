import { fieldError, formError } from "../api/errors";
import { signIn, signUp } from "../api/session";
import { followLink, returnPath } from "../router";
import { Centered } from "../ui/centered";
import { Field, FormError } from "../ui/field";
import { Page } from "../ui/page";
import { text, useSubmit } from "../ui/use-submit";

/** The other screen of the pair, keeping where signing in returns to. */
const other = (path: string) => `${path}${window.location.search}`;

export function SignInScreen() {
  const { onSubmit, problem, pending } = useSubmit((form) =>
    signIn(text(form, "email") ?? "", String(form.get("password") ?? "")),
  );
  return (
    <Centered>
      <Page title="Sign in">
        {returnPath()?.startsWith("/oauth/consent") && (
          <p>An app asks for access to your Voltasis account: sign in to decide.</p>
        )}
        <form className="card stack" onSubmit={onSubmit} noValidate>
          <Field label="E-mail" error={fieldError(problem, "email")}>
            {(control) => <input {...control} name="email" type="email" autoComplete="email" required />}
          </Field>
          <Field label="Password" error={fieldError(problem, "password")}>
            {(control) => (
              <input {...control} name="password" type="password" autoComplete="current-password" required />
            )}
          </Field>
          <FormError message={formError(problem, ["email", "password"])} />
          <button type="submit" disabled={pending}>
            Sign in
          </button>
        </form>
        <p>
          New to Voltasis?{" "}
          <a href={other("/sign-up")} onClick={followLink}>
            Create an account
          </a>
        </p>
      </Page>
    </Centered>
  );
}

const SIGN_UP_FIELDS = ["name", "email", "password", "organization_name"];

export function SignUpScreen() {
  const { onSubmit, problem, pending } = useSubmit((form) =>
    signUp({
      name: text(form, "name") ?? "",
      email: text(form, "email") ?? "",
      password: String(form.get("password") ?? ""),
      organization_name: text(form, "organization_name") ?? "",
    }),
  );
  return (
    <Centered>
      <Page title="Sign up">
        <form className="card stack" onSubmit={onSubmit} noValidate>
          <Field label="Your name" error={fieldError(problem, "name")}>
            {(control) => <input {...control} name="name" autoComplete="name" required />}
          </Field>
          <Field label="E-mail" error={fieldError(problem, "email")}>
            {(control) => <input {...control} name="email" type="email" autoComplete="email" required />}
          </Field>
          <Field label="Password" hint="At least 8 characters" error={fieldError(problem, "password")}>
            {(control) => (
              <input {...control} name="password" type="password" autoComplete="new-password" required />
            )}
          </Field>
          <Field label="Organization name" error={fieldError(problem, "organization_name")}>
            {(control) => (
              <input {...control} name="organization_name" autoComplete="organization" required />
            )}
          </Field>
          <FormError message={formError(problem, SIGN_UP_FIELDS)} />
          <button type="submit" disabled={pending}>
            Sign up
          </button>
        </form>
        <p>
          Have an account?{" "}
          <a href={other("/sign-in")} onClick={followLink}>
            Sign in instead
          </a>
        </p>
      </Page>
    </Centered>
  );
}
