import { useQuery } from "@tanstack/react-query";
import type { ApiKey, ApiKeyWithSecret } from "@voltasis/sdk";
import { Fragment, useState } from "react";
import { all, liveApi } from "../api/client";
import { problemOf } from "../api/errors";
import { Empty, Loading } from "../ui/empty";
import { FormError } from "../ui/field";
import { formatDateTime } from "../ui/format";
import { Page } from "../ui/page";
import { SecretOnce } from "../ui/secret";
import { TableWrap } from "../ui/table-wrap";
import { useChange } from "../ui/use-change";
import { CreateKey } from "./api-keys/create-key";
import { KeyUsage } from "./api-keys/key-usage";

export function ApiKeysScreen() {
  const keys = useQuery({
    queryKey: ["api-keys"],
    queryFn: () => all(liveApi.apiKeys.list({ per_page: 100 })),
  });
  return (
    <Page title="API keys">
      <CreateKey />
      <section className="panel" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        {keys.isPending && <Loading what="API keys" />}
        {keys.error && <p className="error">{problemOf(keys.error)?.message}</p>}
        {keys.data?.length === 0 && (
          <Empty>No API keys yet. Create one above and send it as “Authorization: Bearer …”.</Empty>
        )}
        {(keys.data?.length ?? 0) > 0 && (
          <TableWrap label="API keys table">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Key</th>
                  <th>Mode</th>
                  <th>Scopes</th>
                  <th>Last used</th>
                  <th>Expires</th>
                  <th>Status</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data?.map((key) => (
                  <KeyRow key={key.id} apiKey={key} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </Page>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const [showUsage, setShowUsage] = useState(false);
  const [rolled, setRolled] = useState<ApiKeyWithSecret>();
  const revoke = useChange(() => liveApi.apiKeys.delete(apiKey.id), ["api-keys"]);
  const roll = useChange(() => liveApi.apiKeys.roll(apiKey.id, { expires_in_seconds: 0 }), ["api-keys"]);
  const active = apiKey.status === "active";
  const problem = problemOf(revoke.error ?? roll.error);
  return (
    <Fragment>
      <tr>
        <td>{apiKey.name}</td>
        <td className="mono">
          {apiKey.prefix}…{apiKey.last4}
        </td>
        <td>{apiKey.mode === "test" ? "Test" : "Live"}</td>
        <td>{apiKey.scopes.join(", ")}</td>
        <td>{formatDateTime(apiKey.last_used_at)}</td>
        <td>{apiKey.expires_at ? formatDateTime(apiKey.expires_at) : "Never"}</td>
        <td className={active ? "status-ok" : "status-bad"}>{apiKey.status}</td>
        <td>
          <div className="buttons">
            <button
              type="button"
              className="secondary"
              aria-expanded={showUsage}
              onClick={() => setShowUsage(!showUsage)}
            >
              Usage<span className="visually-hidden"> of {apiKey.name}</span>
            </button>
            {active && (
              <button
                type="button"
                className="secondary"
                onClick={async () => setRolled(await roll.mutateAsync(undefined))}
                disabled={roll.isPending}
              >
                Roll<span className="visually-hidden"> {apiKey.name}</span>
              </button>
            )}
            {active && (
              <button
                type="button"
                className="danger"
                onClick={() => revoke.mutate(undefined)}
                disabled={revoke.isPending}
              >
                Revoke<span className="visually-hidden"> {apiKey.name}</span>
              </button>
            )}
          </div>
          <FormError message={problem?.message} />
        </td>
      </tr>
      {(showUsage || rolled) && (
        <tr>
          <td colSpan={8}>
            {rolled && (
              <SecretOnce
                title={`New secret of "${apiKey.name}"`}
                secret={rolled.secret}
                copyLabel="Copy key"
                onDone={() => setRolled(undefined)}
              />
            )}
            {showUsage && <KeyUsage keyId={apiKey.id} name={apiKey.name} />}
          </td>
        </tr>
      )}
    </Fragment>
  );
}
