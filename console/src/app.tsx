import { useQueryClient } from "@tanstack/react-query";
import { type ComponentType, lazy, Suspense, useEffect, useSyncExternalStore } from "react";
import { refreshSession, type SignedIn, session } from "./api/session";
import { navigate, returnPath, usePath } from "./router";
import { AcceptInvitationScreen } from "./screens/accept-invitation";
import { SignInScreen, SignUpScreen } from "./screens/sign-in";
import { TimeScreen } from "./screens/time";
import { Loading } from "./ui/empty";
import { forgetSignedIn, Shell } from "./ui/shell";

// The first screen (Time) is in the initial bundle; the others load when first opened.
const screens: Record<string, ComponentType> = {
  "/time": TimeScreen,
  "/projects": lazy(() => import("./screens/projects").then((m) => ({ default: m.ProjectsScreen }))),
  "/reports": lazy(() => import("./screens/reports").then((m) => ({ default: m.ReportsScreen }))),
  "/import": lazy(() => import("./screens/import").then((m) => ({ default: m.ImportScreen }))),
  "/api-keys": lazy(() => import("./screens/api-keys").then((m) => ({ default: m.ApiKeysScreen }))),
  "/webhooks": lazy(() => import("./screens/webhooks").then((m) => ({ default: m.WebhooksScreen }))),
  "/members": lazy(() => import("./screens/members").then((m) => ({ default: m.MembersScreen }))),
  "/logs": lazy(() => import("./screens/logs").then((m) => ({ default: m.LogsScreen }))),
  "/settings": lazy(() => import("./screens/settings").then((m) => ({ default: m.SettingsScreen }))),
  "/oauth-apps": lazy(() => import("./screens/oauth-apps").then((m) => ({ default: m.OAuthAppsScreen }))),
  "/authorized-apps": lazy(() =>
    import("./screens/authorized-apps").then((m) => ({ default: m.AuthorizedAppsScreen })),
  ),
};
// Screens of their own, outside the console's frame: a third-party app sent the person here.
const standalone: Record<string, ComponentType<{ signedIn: SignedIn }>> = {
  "/oauth/consent": lazy(() => import("./screens/oauth-consent").then((m) => ({ default: m.ConsentScreen }))),
};
const PUBLIC = new Set(["/sign-in", "/sign-up"]);

export function App() {
  const state = useSyncExternalStore(session.subscribe, session.get);
  const path = usePath();

  // A reload keeps the person signed in: the HttpOnly cookie gives a new access token.
  useEffect(() => {
    void refreshSession();
  }, []);

  const queryClient = useQueryClient();
  useEffect(() => {
    if (state.status === "signed-out") forgetSignedIn(queryClient);
  }, [state.status, queryClient]);

  useEffect(() => {
    if (state.status === "signed-out" && !PUBLIC.has(path) && path !== "/accept-invitation") {
      // Signing in comes back here, query included (the consent screen's request id is in it).
      const here = path === "/" ? "" : `?next=${encodeURIComponent(path + window.location.search)}`;
      navigate(`/sign-in${here}`, { replace: true });
    }
    if (state.status === "signed-in" && PUBLIC.has(path))
      navigate(returnPath() ?? "/time", { replace: true });
    else if (
      state.status === "signed-in" &&
      !screens[path] &&
      !standalone[path] &&
      path !== "/accept-invitation"
    ) {
      navigate("/time", { replace: true });
    }
  }, [state.status, path]);

  if (path === "/accept-invitation") return <AcceptInvitationScreen />;
  if (state.status === "loading") return <Loading what="the console" />;
  if (state.status === "signed-out") return path === "/sign-up" ? <SignUpScreen /> : <SignInScreen />;
  const Standalone = standalone[path];
  if (Standalone) {
    return (
      <Suspense fallback={<Loading what="the screen" />}>
        <Standalone signedIn={state} />
      </Suspense>
    );
  }
  const Screen = screens[path] ?? TimeScreen;
  return (
    <Shell signedIn={state}>
      <Suspense fallback={<Loading what="the screen" />}>
        <Screen />
      </Suspense>
    </Shell>
  );
}
