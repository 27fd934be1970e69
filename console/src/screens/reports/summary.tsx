import { useQuery } from "@tanstack/react-query";
import type { Summary } from "@voltasis/sdk";
import { api } from "../../api/client";
import { problemOf } from "../../api/errors";
import { namesOf, useMembers } from "../../api/queries";
import { BarChart } from "../../ui/charts";
import { Empty, Loading } from "../../ui/empty";
import { formatHours, formatMoney } from "../../ui/format";
import { TableWrap } from "../../ui/table-wrap";
import type { Period } from "./period";

export type Dimension = "project" | "client" | "user" | "day";

type Group = Summary["groups"][number];

function labelOf(group: Group, by: Dimension, people: Map<string, string>): string {
  if (by === "day") return group.key.day ?? "—";
  if (by === "user") return group.labels.user ?? people.get(group.key.user_id ?? "") ?? "Someone";
  const label = group.labels[by];
  return label ?? (by === "project" ? "No project" : "No client");
}

/** Totals, a bar per group and the same numbers as a table. Amounts are in minor units. */
export function SummaryReport({ period, by }: { period: Period; by: Dimension }) {
  const summary = useQuery({
    queryKey: ["reports", "summary", period, by],
    queryFn: () => api.reports.summary({ ...period, group_by: by }),
  });
  const members = useMembers();
  const people = namesOf(members.data, (m) => m.name);
  if (summary.isPending) return <Loading what="the summary" />;
  if (summary.error) return <p className="error">{problemOf(summary.error)?.message}</p>;
  const { totals, groups, currency } = summary.data;
  const money = (minor: number) => formatMoney(minor / 100, currency);
  return (
    <section className="panel stack" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Summary by {by}</h2>
      <dl className="totals">
        <div>
          <dt>Total time</dt>
          <dd>
            <strong>{formatHours(totals.seconds)}</strong>
          </dd>
        </div>
        <div>
          <dt>Billable time</dt>
          <dd>
            <strong>{formatHours(totals.billable_seconds)}</strong>
          </dd>
        </div>
        <div>
          <dt>Billable amount</dt>
          <dd>
            <strong>{money(totals.billable_amount)}</strong>
          </dd>
        </div>
        <div>
          <dt>Entries</dt>
          <dd>
            <strong>{totals.entries}</strong>
          </dd>
        </div>
      </dl>
      {groups.length === 0 ? (
        <Empty>No time in this period. Choose other dates, or track time on the Time screen first.</Empty>
      ) : (
        <>
          <BarChart
            title={`Hours by ${by}`}
            bars={groups.map((group) => ({
              label: labelOf(group, by, people),
              value: group.seconds,
              text: formatHours(group.seconds),
            }))}
          />
          <TableWrap label="Summary table">
            <table>
              <thead>
                <tr>
                  <th>{by[0]?.toUpperCase() + by.slice(1)}</th>
                  <th className="num">Time</th>
                  <th className="num">Billable</th>
                  <th className="num">Amount</th>
                  <th className="num">Entries</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((group) => {
                  const label = labelOf(group, by, people);
                  return (
                    <tr key={label}>
                      <td>{label}</td>
                      <td className="num">{formatHours(group.seconds)}</td>
                      <td className="num">{formatHours(group.billable_seconds)}</td>
                      <td className="num">{money(group.billable_amount)}</td>
                      <td className="num">{group.entries}</td>
                    </tr>
                  );
                })}
              </tbody>
              <tfoot>
                <tr>
                  <td>Total</td>
                  <td className="num">{formatHours(totals.seconds)}</td>
                  <td className="num">{formatHours(totals.billable_seconds)}</td>
                  <td className="num">{money(totals.billable_amount)}</td>
                  <td className="num">{totals.entries}</td>
                </tr>
              </tfoot>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  );
}
