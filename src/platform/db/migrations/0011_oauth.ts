import { type Kysely, sql } from "kysely";

/**
 * OAuth 2.0 for third-party apps (SPEC §9, issue 14), stored for @node-oauth/oauth2-server's model:
 * - `oauth_apps`: registered by an organization's admin; the id is the `client_id`. A confidential
 *   app has a secret (its SHA-256 only), a public one (a SPA, a native app) none. Deleting an app
 *   keeps its row (`deleted_at`) so that the grants it had still name it.
 * - `oauth_authorization_requests`: a validated `GET /oauth/authorize`, waiting for the signed-in
 *   user's decision on the console's consent screen; decided once.
 * - `oauth_grants`: a user's consent to an app for one organization (any organization the user is
 *   a member of, not only the app's), remembered until revoked. Revoking it ends every token.
 * - `oauth_authorization_codes`: single use (`used_at`), short lived, S256 challenge required.
 * - `oauth_sessions`: what one code exchange started: the chain of tokens its refreshes rotate
 *   through. Ended as a whole (revocation, a replayed code, a reused refresh token).
 * - `oauth_tokens`: access and refresh tokens, by SHA-256 only; a spent refresh token keeps its
 *   row (`used_at`) so that its reuse is recognised.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE oauth_apps (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      client_type text NOT NULL CHECK (client_type IN ('confidential', 'public')),
      redirect_uris text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 10),
      secret_hash text UNIQUE,
      secret_last4 text,
      created_by text NOT NULL REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      CONSTRAINT oauth_apps_secret_check
        CHECK ((client_type = 'confidential') = (secret_hash IS NOT NULL AND secret_last4 IS NOT NULL))
    );
    CREATE INDEX oauth_apps_org_idx ON oauth_apps (organization_id, id) WHERE deleted_at IS NULL;

    CREATE TABLE oauth_authorization_requests (
      id text PRIMARY KEY,
      app_id text NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
      redirect_uri text NOT NULL,
      scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
      state text NOT NULL,
      code_challenge text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      decided_at timestamptz
    );
    CREATE INDEX oauth_authorization_requests_expiry_idx ON oauth_authorization_requests (expires_at);

    CREATE TABLE oauth_grants (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      app_id text NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_reason text
    );
    -- One remembered consent per person, app and organization; revoked ones stay as history.
    CREATE UNIQUE INDEX oauth_grants_active_idx ON oauth_grants (organization_id, app_id, user_id)
      WHERE revoked_at IS NULL;
    CREATE INDEX oauth_grants_org_idx ON oauth_grants (organization_id, id);
    CREATE INDEX oauth_grants_app_idx ON oauth_grants (app_id) WHERE revoked_at IS NULL;

    CREATE TABLE oauth_authorization_codes (
      code_hash text PRIMARY KEY,
      grant_id text NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
      redirect_uri text NOT NULL,
      scopes text[] NOT NULL,
      code_challenge text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX oauth_authorization_codes_expiry_idx ON oauth_authorization_codes (expires_at);

    CREATE TABLE oauth_sessions (
      id text PRIMARY KEY,
      grant_id text NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
      -- The code whose exchange started it: a replay of that code ends it.
      code_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_reason text
    );
    CREATE INDEX oauth_sessions_grant_idx ON oauth_sessions (grant_id);

    CREATE TABLE oauth_tokens (
      token_hash text PRIMARY KEY,
      session_id text NOT NULL REFERENCES oauth_sessions (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
      scopes text[] NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX oauth_tokens_session_idx ON oauth_tokens (session_id);
  `.execute(db);
}
