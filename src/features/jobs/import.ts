import Ajv from "ajv";
import addFormats from "ajv-formats";
import { sql } from "kysely";
import type { FineScope } from "../../platform/auth/scopes.js";
import type { Db } from "../../platform/db/connection.js";
import type { Role } from "../../platform/db/schema.js";
import { type AjvError, fromValidation } from "../../platform/error-handler.js";
import { ApiError, ConflictError, ValidationError } from "../../platform/errors.js";
import { newId } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import {
  checkRateAllowed,
  checkSpan,
  checkUnlocked,
  derivedEnd,
  effectiveRate,
  notOwner,
  toSecond,
} from "../time-entries/rules.js";
import { CreateTimeEntryBody } from "../time-entries/schemas.js";
import type { EntryValues, TimeEntryStore } from "../time-entries/store.js";
import { inTransaction, resolveReferences, seesEveryone, type Write } from "../time-entries/writes.js";
import { type NamePlan, nameTexts, planNames } from "./import-names.js";
import { type MemberIndex, memberIndex, personTexts } from "./import-people.js";
import { createImportStore } from "./import-store.js";
import { withoutOverlaps } from "./overlaps.js";
import {
  type ImportResult,
  type ImportSettings,
  MAX_IMPORT_ROWS,
  MAX_LISTED_ERRORS,
  type RowError,
} from "./schemas.js";
import { type NormalizedRow, readSource, readVoltasis, type VoltasisRow } from "./sources/index.js";

/** Rows validated between two progress reports. */
const PROGRESS_EVERY = 5_000;

// The validator of POST /v1/time-entries bodies, configured as the app's (platform/validation.ts).
const ajv = addFormats.default(
  new Ajv.default({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false }),
);
const validateBody = ajv.compile(CreateTimeEntryBody);

/** A row read from the file, before the organization's rules: Voltasis's ids, or another product's names. */
type Draft = ({ kind: "voltasis" } & VoltasisRow) | ({ kind: "foreign" } & NormalizedRow);

function readFile(settings: ImportSettings, csv: string) {
  if (settings.source === "voltasis") {
    const rows = readVoltasis(csv, MAX_IMPORT_ROWS);
    return {
      dateFormat: null,
      drafts: rows.flatMap((r): Draft[] => (r.ok ? [{ kind: "voltasis", ...r.entry }] : [])),
      errors: rows.flatMap((r) => (r.ok ? [] : [r.error])),
    };
  }
  const file = readSource(settings.source, csv, {
    timeZone: settings.timezone ?? "UTC",
    dateFormat: settings.date_format,
    maxRows: MAX_IMPORT_ROWS,
  });
  return {
    dateFormat: file.dateFormat,
    drafts: file.rows.flatMap((r): Draft[] => (r.ok ? [{ kind: "foreign", ...r.entry }] : [])),
    errors: file.rows.flatMap((r) => (r.ok ? [] : [r.error])),
  };
}

/** Lookups that thousands of rows repeat with the same few ids, asked once each; writes pass through. */
function rememberingLookups(store: TimeEntryStore): TimeEntryStore {
  const memo = <A extends string, R>(lookup: (ctx: OrgContext, id: A) => Promise<R>) => {
    const seen = new Map<string, Promise<R>>();
    return (ctx: OrgContext, id: A) => {
      const known = seen.get(id);
      if (known) return known;
      const answer = lookup(ctx, id);
      seen.set(id, answer);
      return answer;
    };
  };
  const tags = new Map<string, boolean>();
  return {
    ...store,
    membership: memo(store.membership),
    project: memo(store.project),
    task: memo(store.task),
    findRunning: memo(store.findRunning),
    async existingTags(ctx, ids) {
      const unknown = ids.filter((id) => !tags.has(id));
      if (unknown.length > 0) {
        const found = new Set(await store.existingTags(ctx, unknown));
        for (const id of unknown) tags.set(id, found.has(id));
      }
      return ids.filter((id) => tags.get(id));
    },
  };
}

function rowError(row: number, error: unknown, fallbackField: string): RowError {
  if (!(error instanceof ApiError)) throw error;
  const details = error.details ?? {};
  const field = typeof details.field === "string" && details.field !== "body" ? details.field : fallbackField;
  const reason = typeof details.reason === "string" ? details.reason : error.code.toLowerCase();
  return { row, field, reason, message: error.message };
}

export interface Candidate {
  row: number;
  id: string;
  fingerprint: string;
  values: EntryValues;
  tagIds: string[];
  /** The file gave a rate in another currency than the organization's: imported without it. */
  rateDropped: boolean;
}

type Actor = { userId: string; role: Role; allowed: ReadonlySet<FineScope> };

/** The body POST /v1/time-entries would take for a row, its owner found and its names resolved. */
function bodyOf(
  draft: Draft,
  context: { actor: Actor; settings: ImportSettings; currency: string; people: MemberIndex; names: NamePlan },
): { body: Record<string, unknown>; rateDropped: boolean } {
  const { actor, settings, people } = context;
  const asMe = settings.unknown_people === "import_as_me";
  if (draft.kind === "voltasis") {
    const body = { ...draft.body };
    if (body.user_id === undefined && draft.email !== undefined) {
      const userId = people.byEmail(draft.email);
      if (userId) body.user_id = userId;
      else if (!asMe)
        throw new ValidationError("user_email", `No member with e-mail ${draft.email}`, "not_found");
    }
    return { body, rateDropped: false };
  }
  const userId = people.match(draft.person);
  if (!userId && !asMe) throw people.unknown(draft.person);
  const { projectId, taskId, tagIds } = context.names.resolve(draft);
  const sameCurrency = draft.currency === undefined || draft.currency === context.currency;
  const body: Record<string, unknown> = {
    user_id: userId ?? actor.userId,
    start: draft.start.toISOString(),
    end: draft.end.toISOString(),
    description: draft.description,
  };
  if (draft.billable !== undefined) body.billable = draft.billable;
  if (draft.hourlyRate !== undefined && sameCurrency) body.hourly_rate = draft.hourlyRate;
  if (projectId) body.project_id = projectId;
  if (taskId) body.task_id = taskId;
  if (tagIds.length > 0) body.tag_ids = tagIds;
  return { body, rateDropped: draft.hourlyRate !== undefined && !sameCurrency };
}

export interface ImportRun {
  db: Db;
  ctx: OrgContext;
  actor: Actor;
  jobId: string;
  csv: string;
  settings: ImportSettings;
  progress(percent: number): Promise<void>;
  /** Ends the job in the import's transaction, so its entries and its status commit together. */
  complete(trx: Db, outcome: ImportOutcome): Promise<void>;
}

export interface ImportOutcome {
  status: "succeeded" | "failed";
  result: ImportResult;
  error: { code: string; message: string } | null;
  file: { text: string; contentType: string };
}

/**
 * Reads the file as its product's export, skips the rows an earlier import brought in (by
 * fingerprint), applies POST /v1/time-entries' rules to every other row (the same schema, rule
 * functions and reference checks, with lookups remembered across rows), then writes the valid
 * rows with a few multi-row INSERTs, in one transaction with the job's outcome. Clients,
 * projects, tasks and tags that the file names and the organization lacks are created for the
 * rows that use them, each with its `.created` event; the entries raise no event each: the
 * job's own event reports them. A dry run does all of it, then rolls the writes back.
 */
export async function runImport(run: ImportRun): Promise<void> {
  const { ctx, actor, settings } = run;
  const file = readFile(settings, run.csv);
  const rowsTotal = file.drafts.length + file.errors.length;
  const now = Date.now();
  await inTransaction(run.db, ctx, async (tx) => {
    const imports = createImportStore(tx.trx);
    const known = await imports.knownFingerprints(
      ctx,
      file.drafts.map((draft) => draft.fingerprint),
    );
    const fresh = file.drafts.filter((draft) => !known.has(draft.fingerprint));
    const foreign = fresh.flatMap((draft) => (draft.kind === "foreign" ? [draft] : []));
    const lowered = await imports.lowerCase([
      ...new Set([
        ...foreign.flatMap((entry) => [...nameTexts(entry), ...personTexts(entry.person)]),
        ...fresh.flatMap((draft) => (draft.kind === "voltasis" && draft.email ? [draft.email] : [])),
      ]),
    ]);
    const lower = (text: string) => lowered.get(text) ?? text.toLowerCase();
    const names = await planNames(imports, ctx, foreign, actor.allowed, lower);
    const context = {
      actor,
      settings,
      currency: tx.settings.currency,
      people: await memberIndex(imports, ctx, lower),
      names,
    };
    const w: Write = { ...tx, store: rememberingLookups(names.overlay(tx.store)) };

    const errors: RowError[] = [...file.errors];
    const candidates: Candidate[] = [];
    const runningUsers = new Set<string>();
    for (const [i, draft] of fresh.entries()) {
      if (i > 0 && i % PROGRESS_EVERY === 0) await run.progress(Math.floor((i * 80) / fresh.length));
      const ownerField = draft.kind === "voltasis" ? "user_id" : "person";
      let field = ownerField;
      try {
        const { body, rateDropped } = bodyOf(draft, context);
        field = "start";
        if (!validateBody(body)) throw fromValidation(validateBody.errors?.[0] as AjvError, "body");
        const start = toSecond(body.start as string);
        const end = derivedEnd(start, body.end as string | undefined, undefined);
        checkSpan(start, end, now);
        const owner = (body.user_id as string | undefined) ?? actor.userId;
        field = ownerField;
        if (owner !== actor.userId && !seesEveryone(actor)) {
          throw notOwner("Members can only import their own time entries");
        }
        field = "start";
        checkUnlocked(w.settings, start);
        field = "project_id";
        const projectId = (body.project_id as string | undefined) ?? null;
        const taskId = (body.task_id as string | undefined) ?? null;
        const tagIds = body.tag_ids as string[] | undefined;
        const {
          member,
          project,
          projectId: resolvedProject,
        } = await resolveReferences(
          w,
          ctx,
          { userId: owner, projectId, taskId, inferProject: body.project_id === undefined },
          tagIds,
        );
        if (end === null) {
          field = "end";
          if (runningUsers.has(owner) || (await w.store.findRunning(ctx, owner))) {
            throw new ConflictError("This user already has a running timer", "timer_running");
          }
          runningUsers.add(owner);
        }
        const hourlyRate = (body.hourly_rate as number | undefined) ?? null;
        field = "hourly_rate";
        checkRateAllowed(w.settings, actor, { from: null, to: hourlyRate });
        candidates.push({
          row: draft.row,
          id: newId("timeEntry"),
          fingerprint: draft.fingerprint,
          tagIds: tagIds ?? [],
          rateDropped,
          values: {
            user_id: owner,
            project_id: resolvedProject,
            task_id: taskId,
            description: (body.description as string | undefined) ?? "",
            start_at: start,
            end_at: end,
            billable: (body.billable as boolean | undefined) ?? project?.billable ?? true,
            hourly_rate: hourlyRate,
            billable_rate: effectiveRate(hourlyRate, project, member, w.settings),
          },
        });
      } catch (error) {
        errors.push(rowError(draft.row, error, field));
      }
    }

    let accepted = candidates;
    if (w.settings.prevent_overlaps) accepted = await withoutOverlaps(w, ctx, candidates, errors);
    errors.sort((a, b) => a.row - b.row);

    const refuse = settings.mode === "all_or_nothing" && errors.length > 0;
    const imported = refuse ? [] : accepted;
    await run.progress(85);
    if (settings.dry_run) await sql`SAVEPOINT import_dry_run`.execute(tx.trx);
    const created = await names.create(
      tx.trx,
      actor.userId,
      imported.map((c) => ({ projectId: c.values.project_id, taskId: c.values.task_id, tagIds: c.tagIds })),
    );
    await w.store.insertMany(ctx, imported);
    const recorded = await imports.addFingerprints(
      ctx,
      run.jobId,
      imported.map((c) => ({ fingerprint: c.fingerprint, entryId: c.id })),
    );
    if (recorded < imported.length) {
      throw new ConflictError(
        "Another import brought in some of these rows while this one ran; start this one again: " +
          "the rows imported meanwhile will be skipped",
        "concurrent_import",
      );
    }
    if (settings.dry_run) await sql`ROLLBACK TO SAVEPOINT import_dry_run`.execute(tx.trx);

    const result: ImportResult = {
      mode: settings.mode,
      source: settings.source,
      dry_run: settings.dry_run,
      date_format: file.dateFormat,
      rows_total: rowsTotal,
      rows_imported: imported.length,
      rows_skipped: file.drafts.length - fresh.length,
      rows_failed: errors.length,
      created,
      rates_dropped: imported.filter((c) => c.rateDropped).length,
      errors,
    };
    // A dry run succeeds whatever it found: its result is the answer.
    const failed = refuse && !settings.dry_run;
    await run.complete(tx.trx, {
      status: failed ? "failed" : "succeeded",
      result: { ...result, errors: errors.slice(0, MAX_LISTED_ERRORS) },
      error: failed
        ? {
            code: "rows_invalid",
            message: `${errors.length} of ${rowsTotal} rows failed; nothing was imported (mode all_or_nothing)`,
          }
        : null,
      file: { text: `${JSON.stringify(result, null, 2)}\n`, contentType: "application/json; charset=utf-8" },
    });
  });
}
