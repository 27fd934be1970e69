import type { Principal } from "../../platform/auth/authenticator.js";
import { checkPrecondition } from "../../platform/conditional.js";
import type { Db } from "../../platform/db/connection.js";
import { ConflictError, ValidationError } from "../../platform/errors.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import { createAtOnce, createdEvents } from "./create-at-once.js";
import { timeEntryVersion, toTimeEntry } from "./format.js";
import {
  checkRateAllowed,
  checkSpan,
  checkUnlocked,
  derivedEnd,
  effectiveRate,
  notOwner,
  toSecond,
} from "./rules.js";
import {
  type CreateTimeEntryBody,
  CURSOR_SORTS,
  type ListTimeEntriesQuery,
  type StartTimerBody,
  type UpdateTimeEntryBody,
} from "./schemas.js";
import {
  createTimeEntryStore,
  type EntrySettings,
  type EntryValues,
  type TimeEntryRow,
  type TimeEntryStore,
} from "./store.js";
import {
  checkReferences,
  type FoundReferences,
  findActionable,
  inTransaction,
  lookUpReferences,
  recordEntryEvents,
  resolveReferences,
  saveEntry,
  seesEveryone,
} from "./writes.js";

export function createTimeEntryService(deps: { db: Db }) {
  const { db } = deps;

  async function create(ctx: OrgContext, principal: Principal, body: CreateTimeEntryBody) {
    const start = toSecond(body.start);
    const end = derivedEnd(start, body.end, body.duration);
    checkSpan(start, end);
    const userId = body.user_id ?? principal.user.id;
    if (userId !== principal.user.id && !seesEveryone(principal)) {
      throw notOwner("Only managers and above may track time for another user");
    }
    const references = {
      userId,
      projectId: body.project_id ?? null,
      taskId: body.task_id ?? null,
      inferProject: body.project_id === undefined,
    };
    // The rules, applied to what the write read: the same whichever path writes it.
    const decide = (settings: EntrySettings, found: FoundReferences): EntryValues => {
      checkUnlocked(settings, start);
      checkRateAllowed(settings, principal, { from: null, to: body.hourly_rate ?? null });
      const { member, project, projectId } = checkReferences(settings, references, body.tag_ids, found);
      const hourlyRate = body.hourly_rate ?? null;
      return {
        user_id: userId,
        project_id: projectId,
        task_id: body.task_id ?? null,
        description: body.description ?? "",
        start_at: start,
        end_at: end,
        billable: body.billable ?? project?.billable ?? true,
        hourly_rate: hourlyRate,
        billable_rate: effectiveRate(hourlyRate, project, member, settings),
      };
    };
    const checked = (known?: { settings: EntrySettings; read: FoundReferences }) =>
      inTransaction(
        db,
        ctx,
        async (w, found) => {
          const values = decide(w.settings, found);
          const entry = await saveEntry(w, ctx, newId("timeEntry"), values, body.tag_ids, true);
          await recordEntryEvents(w, ctx, principal, createdEvents(entry), entry);
          return entry;
        },
        (store: TimeEntryStore) => lookUpReferences(store, ctx, references, body.tag_ids),
        known,
      );
    // Inside a transaction already (v2's bulk writes), the create joins it.
    if (db.isTransaction) return checked();
    return createAtOnce(db, ctx, principal, { references, tagIds: body.tag_ids, decide, checked });
  }

  return {
    create,

    /** A timer is an entry without an end; starting one while another runs is a 409. */
    async start(ctx: OrgContext, principal: Principal, body: StartTimerBody) {
      return create(ctx, principal, { ...body, start: body.start ?? new Date().toISOString() });
    },

    async update(ctx: OrgContext, principal: Principal, id: string, body: UpdateTimeEntryBody) {
      return inTransaction(db, ctx, async (w) => {
        const current = await findActionable(w.trx, w.store, ctx, principal, id, { forUpdate: true });
        checkPrecondition(ctx, timeEntryVersion(toTimeEntry(current, w.settings.currency)));
        checkUnlocked(w.settings, current.start_at);
        const start = body.start !== undefined ? toSecond(body.start) : current.start_at;
        const end =
          body.end === undefined && body.duration === undefined
            ? current.end_at
            : derivedEnd(start, body.end, body.duration);
        checkSpan(start, end);
        // Moving an entry into the locked period is as much a change of locked time as editing one there.
        checkUnlocked(w.settings, start);
        const userId = body.user_id ?? current.user_id;
        if (userId !== current.user_id && !seesEveryone(principal)) {
          throw notOwner("Only managers and above may move an entry to another user");
        }
        const taskId = body.task_id !== undefined ? body.task_id : current.task_id;
        const { member, project, projectId } = await resolveReferences(
          w,
          ctx,
          {
            userId,
            projectId: body.project_id !== undefined ? body.project_id : current.project_id,
            taskId,
            inferProject: body.project_id === undefined,
            previousProjectId: current.project_id,
          },
          body.tag_ids,
        );
        const hourlyRate = body.hourly_rate !== undefined ? body.hourly_rate : current.hourly_rate;
        checkRateAllowed(w.settings, principal, { from: current.hourly_rate, to: hourlyRate });
        // The rate is fixed when written; it is worked out again only when one of its inputs changes.
        const rateInputsChanged =
          hourlyRate !== current.hourly_rate ||
          projectId !== current.project_id ||
          userId !== current.user_id;
        const values: EntryValues = {
          user_id: userId,
          project_id: projectId,
          task_id: taskId,
          description: body.description ?? current.description,
          start_at: start,
          end_at: end,
          billable: body.billable ?? current.billable,
          hourly_rate: hourlyRate,
          billable_rate: rateInputsChanged
            ? effectiveRate(hourlyRate, project, member, w.settings)
            : current.billable_rate,
        };
        const entry = await saveEntry(w, ctx, id, values, body.tag_ids, false);
        const names = ["time_entry.updated"];
        if (current.end_at === null && end !== null) names.push("timer.stopped");
        if (current.end_at !== null && end === null) names.push("timer.started");
        await recordEntryEvents(w, ctx, principal, names, entry);
        return entry;
      });
    },

    async stop(ctx: OrgContext, principal: Principal, id: string) {
      return inTransaction(db, ctx, async (w) => {
        const current = await findActionable(w.trx, w.store, ctx, principal, id, { forUpdate: true });
        if (current.end_at !== null) throw new ConflictError("This time entry is not running", "not_running");
        checkUnlocked(w.settings, current.start_at);
        const now = toSecond(new Date());
        const end = new Date(Math.max(now.getTime(), current.start_at.getTime()));
        checkSpan(current.start_at, end);
        // Stopping only shortens the entry, so it cannot create an overlap.
        await w.store.setEnd(ctx, id, end);
        const entry = toTimeEntry((await w.store.find(ctx, id)) as TimeEntryRow, w.settings.currency);
        await recordEntryEvents(w, ctx, principal, ["time_entry.updated", "timer.stopped"], entry);
        return entry;
      });
    },

    async remove(ctx: OrgContext, principal: Principal, id: string): Promise<void> {
      await inTransaction(db, ctx, async (w) => {
        const current = await findActionable(w.trx, w.store, ctx, principal, id, { forUpdate: true });
        checkPrecondition(ctx, timeEntryVersion(toTimeEntry(current, w.settings.currency)));
        checkUnlocked(w.settings, current.start_at);
        await w.store.delete(ctx, id);
        await recordEntryEvents(
          w,
          ctx,
          principal,
          ["time_entry.deleted"],
          toTimeEntry(current, w.settings.currency),
        );
      });
    },

    async get(ctx: OrgContext, principal: Principal, id: string) {
      const store = createTimeEntryStore(db);
      const row = await findActionable(db, store, ctx, principal, id);
      return toTimeEntry(row, (await store.settings(ctx)).currency);
    },

    /** The caller's own running timer, or null. */
    async current(ctx: OrgContext, principal: Principal) {
      const store = createTimeEntryStore(db);
      const row = await store.findRunning(ctx, principal.user.id);
      return row ? toTimeEntry(row, (await store.settings(ctx)).currency) : null;
    },

    async list(ctx: OrgContext, principal: Principal, query: ListTimeEntriesQuery) {
      if (query.starting_after && !CURSOR_SORTS.includes(query.sort ?? "start")) {
        throw new ValidationError(
          "starting_after",
          `starting_after works with sort=${CURSOR_SORTS.join(" or sort=")}; page with offset or page for this sort`,
          "cursor_unsupported_for_sort",
        );
      }
      const store = createTimeEntryStore(db);
      const onlyUserId = seesEveryone(principal) ? undefined : principal.user.id;
      const [{ rows, pagination }, settings] = await Promise.all([
        store.list(ctx, query, onlyUserId),
        store.settings(ctx),
      ]);
      const now = Date.now();
      return { items: rows.map((row) => toTimeEntry(row, settings.currency, now)), pagination };
    },
  };
}

export type TimeEntryService = ReturnType<typeof createTimeEntryService>;
