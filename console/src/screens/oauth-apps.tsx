import { useQuery } from "@tanstack/react-query";
import { all, liveApi } from "../api/client";
import { problemOf } from "../api/errors";
import { followLink } from "../router";
import { Empty, Loading } from "../ui/empty";
import { Page } from "../ui/page";
import { AppPanel } from "./oauth-apps/app-panel";
import { RegisterApp } from "./oauth-apps/register-app";

/** Third-party apps the organization registered (issue 14): owners and admins only, live data only. */
export function OAuthAppsScreen() {
  const apps = useQuery({
    queryKey: ["oauth-apps"],
    queryFn: () => all(liveApi.oauthApps.list({ per_page: 100 })),
  });
  return (
    <Page title="OAuth apps">
      <p className="hint">
        Apps that act for people of this organization, with their consent (see docs/oauth.md). Who authorized
        which app is under{" "}
        <a href="/authorized-apps" onClick={followLink}>
          Authorized apps
        </a>
        .
      </p>
      <RegisterApp />
      {apps.isPending && <Loading what="OAuth apps" />}
      {apps.error && <p className="error">{problemOf(apps.error)?.message}</p>}
      {apps.data?.length === 0 && (
        <Empty>No apps yet. Register one above: it gets a client ID to start the OAuth flow with.</Empty>
      )}
      {apps.data?.map((app) => (
        <AppPanel key={app.id} app={app} />
      ))}
    </Page>
  );
}
