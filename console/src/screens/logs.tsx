import { useQuery } from "@tanstack/react-query";
import type { LogEntry, LogsListParams } from "@voltasis/sdk";
import { useState } from "react";
import { api, onePage } from "../api/client";
import { problemOf } from "../api/errors";
import { Empty, Loading } from "../ui/empty";
import { formatDateTime } from "../ui/format";
import { Page } from "../ui/page";
import { TableWrap } from "../ui/table-wrap";

type Filters = Pick<LogsListParams, "kind" | "method" | "status" | "from">;

/** The request log and the audit trail (SPEC §6 logs), newest first, filtered. */
export function LogsScreen() {
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const logs = useQuery({
    queryKey: ["logs", filters, page],
    queryFn: () =>
      onePage(api.logs.list({ ...filters, page, per_page: 50, sort: "created_at", order: "desc" })),
    // Audit lines come with the event stream (ui/live-events.tsx); request lines are no events, and
    // are written in batches about a second after their response: the newest page is asked again.
    refetchInterval: page === 1 ? 5_000 : false,
  });
  const change = (next: Filters) => {
    setFilters({ ...filters, ...next });
    setPage(1);
  };
  const pagination = logs.data?.pagination;
  return (
    <Page title="Logs">
      <form className="card row-form" aria-label="Filter the logs" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="log-kind">Kind</label>
          <select
            id="log-kind"
            onChange={(e) => change({ kind: (e.target.value || undefined) as Filters["kind"] })}
          >
            <option value="">Requests and audit</option>
            <option value="request">Requests</option>
            <option value="audit">Audit trail</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-method">Method</label>
          <select
            id="log-method"
            onChange={(e) => change({ method: (e.target.value || undefined) as Filters["method"] })}
          >
            <option value="">Any</option>
            {["GET", "POST", "PUT", "PATCH", "DELETE"].map((method) => (
              <option key={method}>{method}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-status">Status</label>
          <input
            id="log-status"
            type="number"
            min="100"
            max="599"
            placeholder="Any"
            onChange={(e) => change({ status: e.target.value ? Number(e.target.value) : undefined })}
          />
        </div>
        <div className="field">
          <label htmlFor="log-from">Since</label>
          <input
            id="log-from"
            type="date"
            onChange={(e) => change({ from: e.target.value ? `${e.target.value}T00:00:00Z` : undefined })}
          />
        </div>
      </form>
      {logs.isPending && <Loading what="the logs" />}
      {logs.error && <p className="error">{problemOf(logs.error)?.message}</p>}
      {logs.data?.data.length === 0 && (
        <Empty>Nothing logged yet for these filters. Requests and changes show here as they happen.</Empty>
      )}
      {(logs.data?.data.length ?? 0) > 0 && (
        <TableWrap label="Log table">
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Kind</th>
                <th>What</th>
                <th className="num">Status</th>
                <th className="num">Duration</th>
                <th>By</th>
                <th>Request id</th>
              </tr>
            </thead>
            <tbody>
              {logs.data?.data.map((entry) => (
                <LogRow key={entry.id} entry={entry} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {pagination?.has_more && (
        <div className="buttons">
          <button type="button" className="secondary" disabled={page === 1} onClick={() => setPage(page - 1)}>
            Newer
          </button>
          <button type="button" className="secondary" onClick={() => setPage(page + 1)}>
            Older
          </button>
        </div>
      )}
    </Page>
  );
}

function LogRow({ entry }: { entry: LogEntry }) {
  const what =
    entry.kind === "request"
      ? `${entry.method} ${entry.path}`
      : `${entry.action ?? ""} ${entry.resource_type ?? ""} ${entry.resource_id ?? ""}`;
  const bad = (entry.status ?? 0) >= 400;
  return (
    <tr>
      <td>{formatDateTime(entry.created_at)}</td>
      <td>{entry.kind === "request" ? "Request" : "Audit"}</td>
      <td className="mono break">{what}</td>
      <td className={`num ${bad ? "status-bad" : ""}`}>{entry.status ?? "—"}</td>
      <td className="num">{entry.duration_ms === null ? "—" : `${entry.duration_ms} ms`}</td>
      <td className="mono">{entry.credential ? entry.credential.id : "—"}</td>
      <td className="mono">{entry.request_id ?? "—"}</td>
    </tr>
  );
}
