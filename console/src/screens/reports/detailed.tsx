import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, onePage } from "../../api/client";
import { problemOf } from "../../api/errors";
import { namesOf, useProjects } from "../../api/queries";
import { Empty, Loading } from "../../ui/empty";
import { formatDateTime, formatDuration } from "../../ui/format";
import { TableWrap } from "../../ui/table-wrap";
import type { Period } from "./period";

const PER_PAGE = 20;

/** Every entry of the period, a page at a time. */
export function DetailedReport({ period }: { period: Period }) {
  const [page, setPage] = useState(1);
  const detailed = useQuery({
    queryKey: ["reports", "detailed", period, page],
    queryFn: () =>
      onePage(api.reports.detailed({ ...period, page, per_page: PER_PAGE, sort: "start", order: "desc" })),
  });
  const projects = useProjects();
  const projectNames = namesOf(projects.data, (p) => p.name);
  const pagination = detailed.data?.pagination;
  return (
    <section className="panel stack" aria-labelledby="detailed-heading">
      <h2 id="detailed-heading">Detailed list</h2>
      {detailed.isPending && <Loading what="the entries" />}
      {detailed.error && <p className="error">{problemOf(detailed.error)?.message}</p>}
      {detailed.data?.data.length === 0 && <Empty>No entries in this period.</Empty>}
      {(detailed.data?.data.length ?? 0) > 0 && (
        <TableWrap label="Entries table">
          <table>
            <thead>
              <tr>
                <th>Start</th>
                <th>Description</th>
                <th>Project</th>
                <th className="num">Duration</th>
                <th>Billable</th>
              </tr>
            </thead>
            <tbody>
              {detailed.data?.data.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.start)}</td>
                  <td>{entry.description || "—"}</td>
                  <td>{projectNames.get(entry.project_id ?? "") ?? "—"}</td>
                  <td className="num mono">{formatDuration(entry.duration)}</td>
                  <td>{entry.billable ? "Yes" : "No"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {pagination && pagination.total_pages > 1 && (
        <div className="buttons">
          <button
            type="button"
            className="secondary"
            disabled={!pagination.has_previous}
            onClick={() => setPage(page - 1)}
          >
            Previous page
          </button>
          <span>
            Page {pagination.page} of {pagination.total_pages}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={!pagination.has_next}
            onClick={() => setPage(page + 1)}
          >
            Next page
          </button>
        </div>
      )}
    </section>
  );
}
