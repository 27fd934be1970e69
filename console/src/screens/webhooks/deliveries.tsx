import { useQuery } from "@tanstack/react-query";
import type { Delivery } from "@voltasis/sdk";
import { api, onePage } from "../../api/client";
import { problemOf } from "../../api/errors";
import { Empty } from "../../ui/empty";
import { FormError } from "../../ui/field";
import { formatDateTime } from "../../ui/format";
import { TableWrap } from "../../ui/table-wrap";
import { useChange } from "../../ui/use-change";

const STATUS_CLASS = { succeeded: "status-ok", failed: "status-bad", pending: "status-wait" } as const;

/**
 * The webhook's latest deliveries with their last attempt. New ones appear when the event stream
 * says something happened (ui/live-events.tsx); a pending one is asked again until it settles.
 */
export function Deliveries({ webhookId }: { webhookId: string }) {
  const deliveries = useQuery({
    queryKey: ["deliveries", webhookId],
    queryFn: () => onePage(api.webhooks.deliveries.list(webhookId, { per_page: 20 })),
    refetchInterval: (query) => (query.state.data?.data.some((d) => d.status === "pending") ? 1000 : false),
  });
  if (deliveries.error) return <p className="error">{problemOf(deliveries.error)?.message}</p>;
  if (deliveries.data?.data.length === 0) {
    return <Empty>No deliveries yet. Send a test event, or do something this webhook listens to.</Empty>;
  }
  return (
    <TableWrap label="Deliveries table">
      <table aria-label="Deliveries">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th className="num">Attempts</th>
            <th className="num">HTTP</th>
            <th className="num">Duration</th>
            <th>Response</th>
            <th>Created</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data?.data.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} />
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function DeliveryRow({ delivery }: { delivery: Delivery }) {
  const redeliver = useChange(
    () => api.webhooks.deliveries.redeliver(delivery.webhook_id, delivery.id),
    ["deliveries"],
  );
  const last = delivery.attempts.at(-1);
  return (
    <tr>
      <td className="mono">{delivery.event}</td>
      <td className={STATUS_CLASS[delivery.status]}>{delivery.status}</td>
      <td className="num">{delivery.attempt_count}</td>
      <td className="num">{last?.status_code ?? "—"}</td>
      <td className="num">{last ? `${last.duration_ms} ms` : "—"}</td>
      <td className="excerpt mono">{last?.response_excerpt ?? last?.error ?? "—"}</td>
      <td>{formatDateTime(delivery.created_at)}</td>
      <td>
        <button
          type="button"
          className="secondary"
          onClick={() => redeliver.mutate(undefined)}
          disabled={redeliver.isPending}
        >
          Redeliver<span className="visually-hidden"> {delivery.event}</span>
        </button>
        <FormError message={problemOf(redeliver.error)?.message} />
      </td>
    </tr>
  );
}
