import { useMutation, useQuery } from "@tanstack/react-query";
import { NotFoundError, type OAuthAuthorizationRequest } from "@voltasis/sdk";
import { useState } from "react";
import { liveApi } from "../api/client";
import { problemOf } from "../api/errors";
import { type SignedIn, signOut } from "../api/session";
import { Centered } from "../ui/centered";
import { Loading } from "../ui/empty";
import { FormError } from "../ui/field";
import { Page } from "../ui/page";

type Organization = OAuthAuthorizationRequest["organizations"][number];

/** What went wrong, and what to do next: the app that sent the person here must start again. */
function whatNext(error: unknown): string {
  if (error instanceof NotFoundError) {
    return "This request has expired (an app's request lasts 10 minutes) or was already answered. Go back to the app and start again.";
  }
  return `${problemOf(error)?.message ?? "Something went wrong"}. Go back to the app and try again.`;
}

/**
 * The consent screen (SPEC §9): `GET /oauth/authorize` sends the browser here with the request's
 * id. The person sees the app, picks the organization it will act in and reads each scope in
 * words; either answer sends the browser back to the app, at the `redirect_to` the API returns.
 */
export function ConsentScreen({ signedIn }: { signedIn: SignedIn }) {
  const id = new URLSearchParams(window.location.search).get("request") ?? "";
  const request = useQuery({
    queryKey: ["oauth-authorization-request", id],
    queryFn: () => liveApi.oauthAuthorizationRequests.retrieve(id),
    enabled: id !== "",
    // Once decided the request is gone: asking again on focus would only say so.
    refetchOnWindowFocus: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const decide = useMutation({
    mutationFn: (organizationId: string | undefined) =>
      organizationId
        ? liveApi.oauthAuthorizationRequests.approve(id, { organization_id: organizationId })
        : liveApi.oauthAuthorizationRequests.deny(id),
    onSuccess: ({ redirect_to }) => window.location.assign(redirect_to),
  });
  const app = request.data?.app.name;
  return (
    <Centered>
      <Page title={app ? `Allow ${app} to use your account?` : "Authorize an app"}>
        {id === "" && (
          <p className="error" role="alert">
            This page opens when an app asks for access to your account. Go back to the app and choose to sign
            in with Voltasis again.
          </p>
        )}
        {request.isLoading && <Loading what="the app's request" />}
        {request.error && (
          <p className="error" role="alert">
            {whatNext(request.error)}
          </p>
        )}
        {request.data && (
          <Decision
            request={request.data}
            signedIn={signedIn}
            deciding={decide.isPending || decide.isSuccess}
            onDecide={(organizationId) => decide.mutate(organizationId)}
          />
        )}
        <FormError message={decide.error ? whatNext(decide.error) : undefined} />
      </Page>
    </Centered>
  );
}

function Decision(props: {
  request: OAuthAuthorizationRequest;
  signedIn: SignedIn;
  deciding: boolean;
  onDecide: (organizationId: string | undefined) => void;
}) {
  const { request, signedIn } = props;
  const organizations = request.organizations;
  const allowed = organizations.filter((org) => org.allowed);
  const [chosen, setChosen] = useState(
    () => (allowed.find((org) => org.remembered) ?? allowed[0] ?? organizations[0])?.id,
  );
  const organization = organizations.find((org) => org.id === chosen);
  const returnTo = new URL(request.redirect_uri);
  // A native app's private scheme (com.example.app:) has no origin to show: its scheme names it.
  const where = /^https?:$/.test(returnTo.protocol) ? returnTo.origin : returnTo.protocol;
  return (
    <form
      className="card stack"
      aria-label={`Access for ${request.app.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        props.onDecide(chosen);
      }}
    >
      <p>
        <strong>{request.app.name}</strong> will act as you, {signedIn.user.name}, in the organization you
        choose, and never beyond your role there.
      </p>
      {organizations.length > 1 ? (
        <fieldset>
          <legend>Organization</legend>
          {organizations.map((org) => (
            <label key={org.id} className="check">
              <input
                type="radio"
                name="organization_id"
                value={org.id}
                checked={chosen === org.id}
                disabled={!org.allowed}
                onChange={() => setChosen(org.id)}
              />
              <span>
                {org.name} <span className="hint">({describe(org)})</span>
              </span>
            </label>
          ))}
        </fieldset>
      ) : (
        organization && (
          <p>
            Organization: <strong>{organization.name}</strong>{" "}
            <span className="hint">({describe(organization)})</span>
          </p>
        )
      )}
      <section aria-labelledby="consent-scopes">
        <h2 id="consent-scopes">It will be able to</h2>
        <ul>
          {request.scopes.map(({ scope, description }) => (
            <li key={scope}>{description}</li>
          ))}
        </ul>
      </section>
      {allowed.length === 0 && (
        <p className="error">
          Your role does not allow everything this app asks for. Ask an owner or admin of your organization,
          or deny.
        </p>
      )}
      <p className="hint">
        Either way you go back to <span className="mono break">{where}</span>. You can revoke its access at
        any time under Authorized apps.
      </p>
      <div className="buttons">
        <button type="submit" disabled={props.deciding || !organization?.allowed}>
          Allow
        </button>
        <button
          type="button"
          className="secondary"
          disabled={props.deciding}
          onClick={() => props.onDecide(undefined)}
        >
          Deny
        </button>
      </div>
      {props.deciding && (
        <p role="status" className="hint">
          Taking you back to {request.app.name}…
        </p>
      )}
      <p className="hint">
        Signed in as {signedIn.user.email}.{" "}
        <button type="button" className="secondary" onClick={() => void signOut()}>
          Not you? Sign out
        </button>
      </p>
    </form>
  );
}

function describe(org: Organization): string {
  if (!org.allowed) return `your role there, ${org.role}, cannot grant all of this`;
  return org.remembered ? `${org.role}; you already allowed this app there` : org.role;
}
