import { useQuery } from "@tanstack/react-query";
import type { OAuthGrant } from "@voltasis/sdk";
import { useSyncExternalStore } from "react";
import { all, liveApi } from "../api/client";
import { problemOf } from "../api/errors";
import { useIsAdmin } from "../api/queries";
import { session } from "../api/session";
import { Empty, Loading } from "../ui/empty";
import { FormError } from "../ui/field";
import { formatDateTime } from "../ui/format";
import { Page } from "../ui/page";
import { TableWrap } from "../ui/table-wrap";
import { useChange } from "../ui/use-change";

/**
 * The apps people authorized in this organization (their OAuth grants). Everyone sees and revokes
 * their own; owners and admins also see everyone else's (the API lists them all to admins only).
 */
export function AuthorizedAppsScreen() {
  const me = useSyncExternalStore(session.subscribe, session.get);
  const myId = me.status === "signed-in" ? me.user.id : undefined;
  const isAdmin = useIsAdmin();
  const grants = useQuery({
    queryKey: ["oauth-grants"],
    queryFn: () => all(liveApi.oauthGrants.list({ status: "active", per_page: 100 })),
  });
  const people = useQuery({
    queryKey: ["members"],
    queryFn: () => all(liveApi.users.list({ per_page: 100 })),
    enabled: isAdmin,
  });
  const names = new Map((people.data ?? []).map((person) => [person.id, person.name]));
  const mine = grants.data?.filter((grant) => grant.user_id === myId);
  const others = grants.data?.filter((grant) => grant.user_id !== myId);
  return (
    <Page title="Authorized apps">
      <section className="panel" aria-labelledby="my-grants-heading">
        <h2 id="my-grants-heading">Apps you authorized</h2>
        {grants.isPending && <Loading what="authorized apps" />}
        {grants.error && <p className="error">{problemOf(grants.error)?.message}</p>}
        {mine?.length === 0 && (
          <Empty>
            No app acts for you in this organization. When one asks, you decide on its consent screen, and it
            shows up here.
          </Empty>
        )}
        {mine && mine.length > 0 && <Grants label="Apps you authorized" grants={mine} />}
      </section>
      {isAdmin && (
        <section className="panel" aria-labelledby="all-grants-heading">
          <h2 id="all-grants-heading">Everyone else’s</h2>
          {others?.length === 0 && <Empty>Nobody else in this organization has authorized an app.</Empty>}
          {others && others.length > 0 && (
            <Grants
              label="Apps others authorized"
              grants={others}
              personOf={(grant) => names.get(grant.user_id) ?? grant.user_id}
            />
          )}
        </section>
      )}
    </Page>
  );
}

function Grants(props: { label: string; grants: OAuthGrant[]; personOf?: (grant: OAuthGrant) => string }) {
  return (
    <TableWrap label={props.label}>
      <table>
        <thead>
          <tr>
            <th>App</th>
            {props.personOf && <th>Person</th>}
            <th>Scopes</th>
            <th>Authorized</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.grants.map((grant) => (
            <GrantRow key={grant.id} grant={grant} person={props.personOf?.(grant)} />
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function GrantRow({ grant, person }: { grant: OAuthGrant; person: string | undefined }) {
  const revoke = useChange(() => liveApi.oauthGrants.delete(grant.id), ["oauth-grants"]);
  const whose = person ? ` for ${person}` : "";
  return (
    <tr>
      <td>{grant.app.name}</td>
      {person !== undefined && <td>{person}</td>}
      <td>{grant.scopes.join(", ")}</td>
      <td>{formatDateTime(grant.created_at)}</td>
      <td>
        <button
          type="button"
          className="danger"
          disabled={revoke.isPending}
          onClick={() => revoke.mutate(undefined)}
        >
          Revoke
          <span className="visually-hidden">
            {" "}
            {grant.app.name}
            {whose}
          </span>
        </button>
        <FormError message={problemOf(revoke.error)?.message} />
      </td>
    </tr>
  );
}
