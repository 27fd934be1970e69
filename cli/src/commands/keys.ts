/** `voltasis keys list|create|revoke|roll`: the organization's API keys (SPEC §3). */
import type { ApiKey, ApiKeysCreateParams, ApiKeyWithSecret } from "@voltasis/sdk";
import { type Command, Option } from "commander";
import { collect, given, invocation, nonNegativeInteger, positiveInteger, printList } from "../invocation.js";
import type { Column, Output } from "../output.js";

const COLUMNS: Column<ApiKey>[] = [
  { header: "ID", value: (k) => k.id },
  { header: "NAME", value: (k) => k.name },
  { header: "MODE", value: (k) => k.mode },
  { header: "KEY", value: (k) => `${k.prefix}…${k.last4}` },
  { header: "SCOPES", value: (k) => k.scopes.join(",") },
  { header: "STATUS", value: (k) => k.status },
  { header: "LAST USED", value: (k) => k.last_used_at },
  { header: "EXPIRES", value: (k) => k.expires_at },
];

const printKey = (output: Output, key: ApiKeyWithSecret) =>
  output.secretRecord(
    key,
    [
      ["id", key.id],
      ["name", key.name],
      ["mode", key.mode],
      ["scopes", key.scopes.join(", ")],
      ["expires", key.expires_at ?? "never"],
      ["secret", key.secret],
    ],
    "API key's secret",
  );

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("API keys: list, create, revoke, roll");

  keys
    .command("list")
    .description("the organization's API keys (owners and admins see all, others their own)")
    .addOption(new Option("--status <status>", "only these keys").choices(["active", "revoked", "expired"]))
    .addOption(new Option("--mode <mode>", "only live or only test keys").choices(["live", "test"]))
    .option("--limit <n>", "one page of at most n keys (default: all)", positiveInteger)
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{ status?: "active"; mode?: "live"; limit?: number }>(
        command,
      );
      const client = await session.client();
      const filters = given({ status: options.status, mode: options.mode });
      await printList(output, (p) => client.apiKeys.list(p), filters, options.limit, COLUMNS);
    });

  keys
    .command("create")
    .description("create an API key; its secret is shown once")
    .requiredOption("--name <name>", "what the key is for")
    .requiredOption(
      "--scope <scope>",
      "a scope it grants (read, write, delete, admin, read:projects, …); repeat or separate with commas",
      collect,
    )
    .option("--expires-at <time>", "when it stops working (RFC 3339); default never")
    .addOption(new Option("--mode <mode>", "live, or test for the sandbox").choices(["live", "test"]))
    .action(async (_options, command: Command) => {
      const { options, output, session } = invocation<{
        name: string;
        scope: ApiKeysCreateParams["scopes"];
        expiresAt?: string;
        mode?: "live" | "test";
      }>(command);
      const client = await session.client();
      const key = await client.apiKeys.create({
        name: options.name,
        scopes: options.scope,
        ...given({ expires_at: options.expiresAt, mode: options.mode }),
      });
      printKey(output, key);
    });

  keys
    .command("revoke")
    .description("revoke an API key at once")
    .argument("<id>", "the key (key_…)")
    .action(async (id: string, _options, command: Command) => {
      const { output, session } = invocation(command);
      await (await session.client()).apiKeys.delete(id);
      output.success(`Revoked ${id}`);
    });

  keys
    .command("roll")
    .description("issue a new secret for a key you created; the old one stops now or after --grace")
    .argument("<id>", "the key (key_…)")
    .option(
      "--grace <seconds>",
      "how long the old secret keeps working (at most a week)",
      nonNegativeInteger,
      0,
    )
    .action(async (id: string, _options, command: Command) => {
      const { options, output, session } = invocation<{ grace: number }>(command);
      const key = await (await session.client()).apiKeys.roll(id, { expires_in_seconds: options.grace });
      printKey(output, key);
    });
}
