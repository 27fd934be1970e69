import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { actFor, liveApi } from "../api/client";
import { problemOf } from "../api/errors";
import { useIsAdmin, useOrganizations } from "../api/queries";
import { type SignedIn, signOut } from "../api/session";
import { followLink, usePath } from "../router";
import { LiveEvents } from "./live-events";

const NAV = [
  ["/time", "Time"],
  ["/projects", "Projects"],
  ["/reports", "Reports"],
  ["/import", "Import"],
  ["/api-keys", "API keys"],
  ["/webhooks", "Webhooks"],
  ["/oauth-apps", "OAuth apps"],
  ["/authorized-apps", "Authorized apps"],
  ["/members", "Members"],
  ["/logs", "Logs"],
  ["/settings", "Settings"],
] as const;
// Shown to owners and admins only: their roles alone hold these screens' scopes.
const ADMIN_ONLY = new Set(["/oauth-apps"]);

// Not secrets: which organization and which mode this tab shows survive a reload of the tab.
const ORG_KEY = "voltasis.organization";
const TEST_KEY = "voltasis.test-data";

/** After sign-out nothing of the last person stays: their choices, their data, their organization. */
export function forgetSignedIn(queryClient: QueryClient): void {
  sessionStorage.removeItem(ORG_KEY);
  sessionStorage.removeItem(TEST_KEY);
  actFor({ liveOrgId: undefined, sandboxOrgId: undefined });
  queryClient.clear();
}

/**
 * The frame of every signed-in screen: the organization switcher, the test-data (sandbox) switch,
 * the navigation and sign-out. Switching organization or mode empties the query cache and
 * remounts the screen, so nothing of one organization is ever shown under another.
 */
export function Shell({ signedIn, children }: { signedIn: SignedIn; children: ReactNode }) {
  const path = usePath();
  const queryClient = useQueryClient();
  const [orgId, setOrgId] = useState(() => sessionStorage.getItem(ORG_KEY) ?? signedIn.organization.id);
  const [testData, setTestData] = useState(() => sessionStorage.getItem(TEST_KEY) === "1");
  const organizations = useOrganizations();
  const isAdmin = useIsAdmin(orgId);
  const sandbox = useQuery({
    queryKey: ["sandbox", orgId],
    queryFn: () => liveApi.sandbox.retrieve(),
    enabled: testData,
  });
  const sandboxOrgId = testData ? sandbox.data?.organization_id : undefined;
  const [actingKey, setActingKey] = useState<string>();

  useEffect(() => {
    actFor({ liveOrgId: orgId, sandboxOrgId });
    sessionStorage.setItem(ORG_KEY, orgId);
    sessionStorage.setItem(TEST_KEY, testData ? "1" : "0");
    queryClient.removeQueries({
      predicate: (query) => !["organizations", "sandbox"].includes(String(query.queryKey[0])),
    });
    setActingKey(`${orgId}:${sandboxOrgId ?? "live"}`);
  }, [orgId, sandboxOrgId, testData, queryClient]);

  const live = (organizations.data ?? []).filter((org) => org.mode === "live");
  const waitingForSandbox = testData && !sandboxOrgId;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Voltasis</span>
        <label className="visually-hidden" htmlFor="org-switcher">
          Organization
        </label>
        <select id="org-switcher" value={orgId} onChange={(e) => setOrgId(e.target.value)}>
          {live.length === 0 && <option value={orgId}>{signedIn.organization.name}</option>}
          {live.map((org) => (
            <option key={org.id} value={org.id}>
              {org.name}
            </option>
          ))}
        </select>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={testData}
            checked={testData}
            onChange={(e) => setTestData(e.target.checked)}
          />
          Test data
        </label>
        <span className="who">{signedIn.user.name}</span>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console" className="nav">
        <ul>
          {NAV.filter(([href]) => isAdmin || !ADMIN_ONLY.has(href)).map(([href, label]) => (
            <li key={href}>
              <a href={href} onClick={followLink} aria-current={path === href ? "page" : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className={testData ? "test-mode" : undefined}>
        {testData && (
          <p className="banner" role="note">
            You are looking at test data (the sandbox). API keys and members always belong to the live
            organization.
          </p>
        )}
        {sandbox.error && <p className="error">{problemOf(sandbox.error)?.message}</p>}
        {waitingForSandbox || actingKey !== `${orgId}:${sandboxOrgId ?? "live"}` ? null : (
          <div key={actingKey}>
            <LiveEvents />
            {children}
          </div>
        )}
      </main>
    </div>
  );
}
