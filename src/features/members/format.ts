import type { MembershipStatus, Role } from "../../platform/db/schema.js";
import { rfc3339 } from "../../platform/time.js";
import type { Member, User } from "./schemas.js";

/** Takes only public columns, so a password hash can never reach a response. */
export function toUser(row: { id: string; email: string; name: string; created_at: Date }): User {
  return { id: row.id, email: row.email, name: row.name, created_at: rfc3339(row.created_at) };
}

/** `created_at`/`updated_at` are the membership's: when they joined, when their membership last changed. */
export function toMember(row: {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: MembershipStatus;
  created_at: Date;
  updated_at: Date;
}): Member {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
  };
}
