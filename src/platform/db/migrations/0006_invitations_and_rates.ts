import { type Kysely, sql } from "kysely";

/**
 * SPEC §3's privilege edges:
 * - invitations: members are invited, never taken. The token is stored as a hash only; an
 *   invitation names an e-mail, not a user, so nothing about that e-mail's account is looked up
 *   until the invitee accepts.
 * - `members_set_rates`: whether members may set `hourly_rate` on their own entries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE invitations (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'member')),
      hourly_rate integer CHECK (hourly_rate >= 0),
      token_hash text NOT NULL UNIQUE,
      invited_by text REFERENCES users (id),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      accepted_by text REFERENCES users (id),
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- One open invitation per e-mail and organization; accepted and revoked ones stay as history.
    CREATE UNIQUE INDEX invitations_open_email_idx ON invitations (organization_id, lower(email))
      WHERE accepted_at IS NULL AND revoked_at IS NULL;
    CREATE INDEX invitations_org_idx ON invitations (organization_id, created_at DESC, id DESC);

    ALTER TABLE organization_settings ADD COLUMN members_set_rates boolean NOT NULL DEFAULT false;
  `.execute(db);
}
