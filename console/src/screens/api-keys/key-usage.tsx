import { useQuery } from "@tanstack/react-query";
import { liveApi } from "../../api/client";
import { problemOf } from "../../api/errors";
import { ColumnChart } from "../../ui/charts";
import { Loading } from "../../ui/empty";

/** The key's requests per day over the last 30 days, errors in the warning colour. */
export function KeyUsage({ keyId, name }: { keyId: string; name: string }) {
  const usage = useQuery({
    queryKey: ["api-keys", keyId, "usage"],
    queryFn: () => liveApi.apiKeys.usage(keyId),
  });
  if (usage.isPending) return <Loading what="usage" />;
  if (usage.error) return <p className="error">{problemOf(usage.error)?.message}</p>;
  const { totals, days, from, to } = usage.data;
  return (
    <div className="usage">
      <ColumnChart
        title={`Requests per day with "${name}" from ${from} to ${to}: ${totals.requests} requests, ${totals.errors} errors`}
        columns={days.map((day) => ({
          label: `${day.date}: ${day.requests} requests, ${day.errors} errors`,
          value: day.requests,
          part: day.errors,
        }))}
      />
      <p className="hint">
        Last 30 days: {totals.requests} requests, {totals.errors} errors.
      </p>
    </div>
  );
}
