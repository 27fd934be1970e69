import type { Problem } from "../../api/errors";
import { Field } from "../../ui/field";

/** The textarea's lines, one redirect URI each; blank lines are not URIs. */
export function redirectUrisOf(form: FormData): string[] {
  return String(form.get("redirect_uris") ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The API names a refused URI by its index (`redirect_uris[1]`); the form has one field for them
 * all, so the problem is moved onto it, saying which URI it is about.
 */
export function onRedirectUris(problem: Problem | undefined, uris: readonly string[]): Problem | undefined {
  const index = problem?.field && /^redirect_uris\[(\d+)\]$/.exec(problem.field)?.[1];
  if (!problem || !index) return problem;
  const uri = uris[Number(index)];
  return { field: "redirect_uris", message: uri ? `${uri}: ${problem.message}` : problem.message };
}

export function RedirectUrisField(props: { error: string | undefined; defaultValue?: string }) {
  return (
    <Field
      label="Redirect URIs"
      hint="One per line, matched exactly: https, http://127.0.0.1 or a native app's scheme"
      error={props.error}
    >
      {(control) => (
        <textarea
          {...control}
          name="redirect_uris"
          rows={3}
          defaultValue={props.defaultValue}
          spellCheck={false}
          placeholder="https://app.example.com/oauth/callback"
          required
        />
      )}
    </Field>
  );
}
