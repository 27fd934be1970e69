import { type Kysely, sql } from "kysely";

/**
 * Time tracking (SPEC §6). Every table carries organization_id, and every reference between them
 * is a composite foreign key on (organization_id, id): the database itself refuses a project of
 * one organization pointing at a client of another.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organization_settings (
      organization_id text PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
      timezone text NOT NULL DEFAULT 'UTC',
      week_start text NOT NULL DEFAULT 'monday' CHECK (week_start IN ('monday', 'sunday')),
      currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
      -- Money is integer minor units (cents) per hour.
      default_hourly_rate integer NOT NULL DEFAULT 0 CHECK (default_hourly_rate >= 0),
      rounding_minutes integer NOT NULL DEFAULT 0 CHECK (rounding_minutes IN (0, 1, 5, 6, 10, 15, 30, 60)),
      lock_date date,
      prevent_overlaps boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO organization_settings (organization_id) SELECT id FROM organizations;
    CREATE FUNCTION create_organization_settings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO organization_settings (organization_id) VALUES (NEW.id);
      RETURN NEW;
    END $$;
    -- Every organization has its settings row from birth, whoever creates the organization.
    CREATE TRIGGER organizations_settings AFTER INSERT ON organizations
      FOR EACH ROW EXECUTE FUNCTION create_organization_settings();

    ALTER TABLE memberships ADD COLUMN hourly_rate integer CHECK (hourly_rate >= 0);

    CREATE TABLE clients (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      email text,
      notes text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, id)
    );
    CREATE UNIQUE INDEX clients_name_key ON clients (organization_id, lower(name));

    CREATE TABLE projects (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      client_id text,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
      billable boolean NOT NULL DEFAULT true,
      hourly_rate integer CHECK (hourly_rate >= 0),
      color text CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
      budget_hours numeric(12, 2) CHECK (budget_hours >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, id),
      FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, id)
    );
    CREATE UNIQUE INDEX projects_name_key ON projects (organization_id, lower(name));
    CREATE INDEX projects_client_idx ON projects (organization_id, client_id);

    CREATE TABLE tasks (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      project_id text NOT NULL,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
      description text,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'completed')),
      assignee_id text,
      due_date date,
      estimate_seconds integer CHECK (estimate_seconds >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, id),
      UNIQUE (organization_id, project_id, id),
      FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id),
      FOREIGN KEY (organization_id, assignee_id) REFERENCES memberships (organization_id, user_id)
    );
    CREATE INDEX tasks_project_idx ON tasks (organization_id, project_id);

    CREATE TABLE tags (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, id)
    );
    CREATE UNIQUE INDEX tags_name_key ON tags (organization_id, lower(name));

    CREATE TABLE time_entries (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      user_id text NOT NULL,
      project_id text,
      task_id text,
      description text NOT NULL DEFAULT '',
      start_at timestamptz NOT NULL,
      end_at timestamptz,
      -- Derived, never taken from a client; null while the timer runs.
      duration_seconds integer GENERATED ALWAYS AS (extract(epoch FROM end_at - start_at)::integer) STORED,
      billable boolean NOT NULL DEFAULT true,
      -- The entry's own rate, if set; billable_rate is the effective rate after precedence
      -- (entry, project, member, organization default), fixed when the entry is written.
      hourly_rate integer CHECK (hourly_rate >= 0),
      billable_rate integer NOT NULL DEFAULT 0 CHECK (billable_rate >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, id),
      CHECK (end_at IS NULL OR end_at >= start_at),
      CHECK (task_id IS NULL OR project_id IS NOT NULL),
      FOREIGN KEY (organization_id, user_id) REFERENCES memberships (organization_id, user_id),
      FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id),
      -- The task must belong to the entry's project.
      FOREIGN KEY (organization_id, project_id, task_id) REFERENCES tasks (organization_id, project_id, id)
    );
    -- One running timer per user, enforced where two concurrent starts cannot both win.
    CREATE UNIQUE INDEX time_entries_one_running ON time_entries (organization_id, user_id) WHERE end_at IS NULL;
    CREATE INDEX time_entries_list_idx ON time_entries (organization_id, start_at DESC, id DESC);
    CREATE INDEX time_entries_user_idx ON time_entries (organization_id, user_id, start_at DESC);
    CREATE INDEX time_entries_project_idx ON time_entries (organization_id, project_id, start_at DESC);
    -- Reports read only this index (an index-only scan) for an organization and a period.
    CREATE INDEX time_entries_report_idx ON time_entries (organization_id, start_at)
      INCLUDE (end_at, user_id, project_id, task_id, billable, billable_rate);

    CREATE TABLE time_entry_tags (
      organization_id text NOT NULL,
      time_entry_id text NOT NULL,
      tag_id text NOT NULL,
      PRIMARY KEY (time_entry_id, tag_id),
      FOREIGN KEY (organization_id, time_entry_id) REFERENCES time_entries (organization_id, id) ON DELETE CASCADE,
      FOREIGN KEY (organization_id, tag_id) REFERENCES tags (organization_id, id) ON DELETE CASCADE
    );
    CREATE INDEX time_entry_tags_tag_idx ON time_entry_tags (organization_id, tag_id);

    -- Domain events, written in the same transaction as the change they describe (the outbox).
    CREATE TABLE events (
      id text PRIMARY KEY,
      organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL,
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      actor_id text,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX events_org_idx ON events (organization_id, id DESC);
    CREATE INDEX events_resource_idx ON events (organization_id, resource_id, id DESC);
  `.execute(db);
}
