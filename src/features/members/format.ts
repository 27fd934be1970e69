import { rfc3339 } from "../../platform/time.js";
import type { User } from "./schemas.js";

/** Takes only public columns, so a password hash can never reach a response. */
export function toUser(row: { id: string; email: string; name: string; created_at: Date }): User {
  return { id: row.id, email: row.email, name: row.name, created_at: rfc3339(row.created_at) };
}
