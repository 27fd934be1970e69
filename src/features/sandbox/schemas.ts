import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";

const Timestamp = (description: string, example: string) =>
  Type.String({ format: "date-time", description, examples: [example] });

/** An organization's sandbox (SPEC §8), as `GET /v1/sandbox` shows it. */
export const SandboxSchema = Type.Object(
  {
    organization_id: Type.String({
      pattern: idPattern("organization"),
      description:
        "The sandbox twin: the organization `vlt_test_` keys act on. Send it as `X-Organization-ID` with a " +
        "user token to act on the sandbox as yourself, with your role in the live organization.",
      examples: ["org_01JD6V7W9Q3E4R5T6Y7V8K9M0T"],
    }),
    live_organization_id: Type.String({
      pattern: idPattern("organization"),
      description: "The live organization whose sandbox this is",
      examples: ["org_01JD6V7W9Q3E4R5T6Y7V8K9M0A"],
    }),
    mode: Type.Literal("test", { description: "Always `test`: the sandbox is test mode" }),
    created_at: Timestamp("When the sandbox was made, on its first use", "2024-06-13T09:00:00Z"),
    reset_at: Timestamp("When its demo data was last restored", "2024-06-14T00:00:03Z"),
    next_reset_at: Timestamp("The next daily reset: 00:00 UTC after `reset_at`", "2024-06-15T00:00:00Z"),
  },
  { $id: "Sandbox", additionalProperties: false },
);
export type Sandbox = Static<typeof SandboxSchema>;
