import { useQueryClient } from "@tanstack/react-query";
import { type ComponentType, lazy, Suspense, useEffect, useSyncExternalStore } from "react";
import { refreshSession, session } from "./api/session";
import { navigate, usePath } from "./router";
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
      navigate("/sign-in", { replace: true });
    }
    if (
      state.status === "signed-in" &&
      (PUBLIC.has(path) || !screens[path]) &&
      path !== "/accept-invitation"
    ) {
      navigate("/time", { replace: true });
    }
  }, [state.status, path]);

  if (path === "/accept-invitation") return <AcceptInvitationScreen />;
  if (state.status === "loading") return <Loading what="the console" />;
  if (state.status === "signed-out") return path === "/sign-up" ? <SignUpScreen /> : <SignInScreen />;
  const Screen = screens[path] ?? TimeScreen;
  return (
    <Shell signedIn={state}>
      <Suspense fallback={<Loading what="the screen" />}>
        <Screen />
      </Suspense>
    </Shell>
  );
}
