import { sql } from "kysely";
import type { Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { deliveriesNotice, eventWrite } from "../../platform/events.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { toTimeEntry } from "./format.js";
import { fromDatabaseError } from "./rules.js";
import type { TimeEntry } from "./schemas.js";
import { createTimeEntryStore, type EntrySettings, type EntryValues } from "./store.js";
import { type EntryReferences, type FoundReferences, lookUpReferences } from "./writes.js";

/**
 * Delivery ids made ahead beyond the enabled webhooks counted before the write, for webhooks
 * created in between. More than that fails the statement, and the create takes the checked path.
 */
const DELIVERY_MARGIN = 2;

/** The events of a new entry (SPEC §7): a running one also starts a timer. */
export const createdEvents = (entry: TimeEntry) =>
  entry.running ? ["time_entry.created", "timer.started"] : ["time_entry.created"];

/** What a create needs to do it at once: how to judge what was read, and the checked path. */
export interface AtOnce {
  references: EntryReferences;
  tagIds: string[] | undefined;
  /** Applies the rules to what was read and returns the entry to write; throws an API error. */
  decide(settings: EntrySettings, found: FoundReferences): EntryValues;
  /**
   * The create in a transaction, for what one statement cannot do; with `known`, on what was
   * read already (a read in the transaction would take no lock either), else reading again.
   */
  checked(known?: { settings: EntrySettings; read: FoundReferences }): Promise<TimeEntry>;
}

/**
 * A create in two round trips instead of five (issue 15): everything it reads at once, outside a
 * transaction (in one, under READ COMMITTED, nothing read would be locked either, and the
 * foreign keys have the last word; only a project implied by a task is read after the task),
 * then one statement that writes the entry, its tags, its events, their deliveries and notices,
 * atomic as any single statement is.
 *
 * An organization with prevent_overlaps takes the checked path: the overlap check needs the
 * user's lock and the entry written, in one transaction. So does one with more webhooks at write
 * time than delivery ids were made for: the statement fails then rather than drop a delivery.
 */
export async function createAtOnce(
  db: Db,
  ctx: OrgContext,
  principal: Principal,
  create: AtOnce,
): Promise<TimeEntry> {
  const store = createTimeEntryStore(db);
  // One query for the organization and the member; the task, project and tags beside it if named.
  const read = store.settingsForCreate(ctx, create.references.userId);
  const [{ settings, webhooks }, found] = await Promise.all([
    read,
    lookUpReferences(
      store,
      ctx,
      create.references,
      create.tagIds,
      read.then((r) => r.member),
    ),
  ]).catch((error: unknown) => {
    throw fromDatabaseError(error);
  });
  if (settings.prevent_overlaps) return create.checked({ settings, read: found });
  const values = create.decide(settings, found);
  const id = newId("timeEntry");
  const at = new Date();
  // The entry as find() will read it: the duration as the generated column computes it (start and
  // end are whole seconds) and the tags as existingTags read them, in the database's order.
  const tagIds = create.tagIds?.length ? (found.existingTags ?? []) : [];
  const durationSeconds = values.end_at && (values.end_at.getTime() - values.start_at.getTime()) / 1000;
  const entry = toTimeEntry(
    { id, ...values, duration_seconds: durationSeconds, created_at: at, updated_at: at, tag_ids: tagIds },
    settings.currency,
  );
  const events = createdEvents(entry).map((name, i) =>
    eventWrite(
      ctx,
      { name, resourceType: "time_entry", resourceId: id, actorId: principal.user.id, data: entry },
      Array.from({ length: webhooks + DELIVERY_MARGIN }, () => newId("delivery")),
      { tag: String(i), at, strict: true },
    ),
  );
  const tagged = tagIds.length
    ? sql`, tagged AS (INSERT INTO time_entry_tags (organization_id, time_entry_id, tag_id)
        SELECT ${ctx.orgId}, ${id}, unnest(${tagIds}::text[]))`
    : sql``;
  try {
    await sql`
      WITH entry AS (
        INSERT INTO time_entries (id, organization_id, user_id, project_id, task_id, description,
          start_at, end_at, billable, hourly_rate, billable_rate, created_at, updated_at)
        VALUES (${id}, ${ctx.orgId}, ${values.user_id}, ${values.project_id}, ${values.task_id},
          ${values.description}, ${values.start_at}, ${values.end_at}, ${values.billable},
          ${values.hourly_rate}, ${values.billable_rate}, ${at}, ${at})
      )${tagged}, ${sql.join(events.flatMap((e) => e.parts))}
      SELECT ${sql.join(events.map((e) => e.notice))}, ${deliveriesNotice(events)}`.execute(db);
  } catch (error) {
    if (isDeliveryShortfall(error)) return create.checked();
    throw fromDatabaseError(error);
  }
  return entry;
}

/** A webhook subscribed beyond the delivery ids made ahead: its delivery's id was null. */
function isDeliveryShortfall(error: unknown) {
  const e = error as { code?: string; table_name?: string; column_name?: string } | null;
  return e?.code === "23502" && e.table_name === "webhook_deliveries" && e.column_name === "id";
}
