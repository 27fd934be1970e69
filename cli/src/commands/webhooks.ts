/** `voltasis webhooks list|create|delete|test|rotate` and `deliveries list|redeliver` (SPEC §7). */
import type { Delivery, Webhook, WebhookWithSecret } from "@voltasis/sdk";
import { type Command, Option } from "commander";
import { truncate, yesNo } from "../format.js";
import { collect, given, invocation, positiveInteger, printList } from "../invocation.js";
import type { Column, Output } from "../output.js";

const WEBHOOK_COLUMNS: Column<Webhook>[] = [
  { header: "ID", value: (w) => w.id },
  { header: "URL", value: (w) => w.url },
  { header: "EVENTS", value: (w) => w.events.join(",") },
  { header: "ENABLED", value: (w) => (w.enabled ? "yes" : `no (${w.disabled_reason})`) },
  { header: "DESCRIPTION", value: (w) => truncate(w.description) },
];

const lastAttempt = (d: Delivery) => d.attempts[d.attempts.length - 1];

const DELIVERY_COLUMNS: Column<Delivery>[] = [
  { header: "ID", value: (d) => d.id },
  { header: "EVENT", value: (d) => d.event },
  { header: "STATUS", value: (d) => d.status },
  { header: "ATTEMPTS", value: (d) => d.attempt_count },
  { header: "LAST RESPONSE", value: (d) => lastAttempt(d)?.status_code ?? lastAttempt(d)?.error },
  { header: "CREATED", value: (d) => d.created_at },
];

const printWithSecret = (output: Output, webhook: WebhookWithSecret) =>
  output.secretRecord(
    webhook,
    [
      ["id", webhook.id],
      ["url", webhook.url],
      ["events", webhook.events.join(", ")],
      ["enabled", yesNo(webhook.enabled)],
      ["secret", webhook.secret],
    ],
    "signing secret",
  );

function printDelivery(output: Output, delivery: Delivery): void {
  output.record(delivery, [
    ["id", delivery.id],
    ["webhook", delivery.webhook_id],
    ["event", delivery.event],
    ["status", delivery.status],
    ["attempts", delivery.attempt_count],
    ["created", delivery.created_at],
  ]);
}

function registerWebhookCommands(program: Command): void {
  const webhooks = program.command("webhooks").description("webhooks: list, create, delete, test, rotate");

  webhooks
    .command("list")
    .description("the organization's webhooks (secrets are never listed)")
    .option("--limit <n>", "one page of at most n webhooks (default: all)", positiveInteger)
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{ limit?: number }>(command);
      const client = await session.client();
      await printList(output, (p) => client.webhooks.list(p), {}, options.limit, WEBHOOK_COLUMNS);
    });

  webhooks
    .command("create")
    .description("subscribe an endpoint to events; the signing secret is shown once")
    .requiredOption("--url <url>", "the endpoint (http or https)")
    .requiredOption(
      "--event <name>",
      "an event (time_entry.created), a wildcard (project.*) or *; repeat or separate with commas",
      collect,
    )
    .option("--description <text>", "what the endpoint is for")
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{ url: string; event: string[]; description?: string }>(
        command,
      );
      const webhook = await (await session.client()).webhooks.create({
        url: options.url,
        events: options.event,
        ...given({ description: options.description }),
      });
      printWithSecret(output, webhook);
    });

  webhooks
    .command("delete")
    .description("delete a webhook and its delivery history")
    .argument("<id>", "the webhook (whk_…)")
    .action(async (id: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      await (await session.client()).webhooks.delete(id);
      output.success(`Deleted webhook ${id}`);
    });

  webhooks
    .command("test")
    .description("send a test event (webhook.test) to the endpoint")
    .argument("<id>", "the webhook (whk_…)")
    .action(async (id: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      const delivery = await (await session.client()).webhooks.test(id);
      output.success(`Queued ${delivery.event}: follow it with \`voltasis deliveries list ${id}\``);
      printDelivery(output, delivery);
    });

  webhooks
    .command("rotate")
    .description("replace the signing secret; the old one also signs for 24 h")
    .argument("<id>", "the webhook (whk_…)")
    .action(async (id: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      printWithSecret(output, await (await session.client()).webhooks.rotateSecret(id));
    });
}

function registerDeliveries(program: Command): void {
  const deliveries = program.command("deliveries").description("a webhook's deliveries: list, redeliver");

  deliveries
    .command("list")
    .description("a webhook's deliveries with their attempts, newest first")
    .argument("<webhook>", "the webhook (whk_…)")
    .addOption(
      new Option("--status <status>", "only deliveries in this state").choices([
        "pending",
        "succeeded",
        "failed",
      ]),
    )
    .option("--limit <n>", "one page of at most n deliveries (default: all)", positiveInteger)
    .action(async (webhook: string, _options, command: Command) => {
      const { options, output, session } = invocation<{ status?: "pending"; limit?: number }>(command);
      const client = await session.client();
      const filters = given({ status: options.status });
      await printList(
        output,
        (p) => client.webhooks.deliveries.list(webhook, p),
        filters,
        options.limit,
        DELIVERY_COLUMNS,
      );
    });

  deliveries
    .command("redeliver")
    .description("send a delivery again, now")
    .argument("<webhook>", "the webhook (whk_…)")
    .argument("<delivery>", "the delivery (dlv_…)")
    .action(async (webhook: string, delivery: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      const again = await (await session.client()).webhooks.deliveries.redeliver(webhook, delivery);
      output.success(`Queued ${again.event} again as ${again.id}`);
      printDelivery(output, again);
    });
}

export function registerWebhooks(program: Command): void {
  registerWebhookCommands(program);
  registerDeliveries(program);
}
