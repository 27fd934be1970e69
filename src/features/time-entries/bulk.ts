import { type TSchema, Type } from "@sinclair/typebox";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { sql } from "kysely";
import type { Principal } from "../../platform/auth/authenticator.js";
import type { Db } from "../../platform/db/connection.js";
import { type AjvError, fromValidation } from "../../platform/error-handler.js";
import { ApiError } from "../../platform/errors.js";
import { idPattern } from "../../platform/ids.js";
import type { OrgContext } from "../../platform/tenancy.js";
import {
  CreateTimeEntryBody as CreateSchema,
  type CreateTimeEntryBody,
  UpdateTimeEntryBody as UpdateSchema,
  type UpdateTimeEntryBody,
} from "./schemas.js";
import { createTimeEntryService } from "./service.js";

/** SPEC §8: a v2 bulk request carries at most this many items. */
export const MAX_BULK_ITEMS = 100;

const items = (description: string) =>
  Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BULK_ITEMS, description });
export const BulkCreateBody = Type.Object(
  { items: items(`Up to ${MAX_BULK_ITEMS} bodies of POST /v2/time-entries`) },
  { additionalProperties: false },
);
export const BulkUpdateBody = Type.Object(
  { items: items(`Up to ${MAX_BULK_ITEMS} bodies of PATCH /v2/time-entries/{id}, each with its \`id\``) },
  { additionalProperties: false },
);
export const BulkDeleteBody = Type.Object(
  {
    ids: Type.Array(Type.String({ pattern: idPattern("timeEntry") }), {
      minItems: 1,
      maxItems: MAX_BULK_ITEMS,
      uniqueItems: true,
      description: `Up to ${MAX_BULK_ITEMS} ids of time entries to delete`,
    }),
  },
  { additionalProperties: false },
);

// Items are validated one by one (not by the route's schema) so that every bad item is reported
// with its index, not only the first; with the app's own validator settings (platform/validation.ts).
const ajv = addFormats.default(
  new Ajv.default({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false }),
);
const validCreate = ajv.compile<CreateTimeEntryBody>(CreateSchema);
const validUpdate = ajv.compile<UpdateTimeEntryBody & { id: string }>(
  Type.Object(
    { id: Type.String({ pattern: idPattern("timeEntry") }), ...UpdateSchema.properties },
    { additionalProperties: false, minProperties: 2 },
  ) as TSchema,
);

interface ItemError {
  index: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * All or nothing: every item runs in the batch's one transaction, each behind a savepoint so a
 * failed item does not poison the others and every failure is reported with its index; if any
 * failed, the batch rolls back and nothing is written.
 */
async function allOrNothing<T, R>(
  db: Db,
  list: readonly T[],
  each: (trx: Db, item: T) => Promise<R>,
): Promise<R[]> {
  return db.transaction().execute(async (trx) => {
    const results: R[] = [];
    const errors: ItemError[] = [];
    for (const [index, item] of list.entries()) {
      await sql`SAVEPOINT bulk_item`.execute(trx);
      try {
        results.push(await each(trx, item));
        await sql`RELEASE SAVEPOINT bulk_item`.execute(trx);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        await sql`ROLLBACK TO SAVEPOINT bulk_item`.execute(trx);
        errors.push({
          index,
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        });
      }
    }
    if (errors.length > 0) {
      throw new ApiError(
        "VALIDATION_ERROR",
        `${errors.length} of ${list.length} items failed; nothing was written`,
        { reason: "bulk_items_failed", errors },
      );
    }
    return results;
  });
}

function checked<T>(validate: ((value: unknown) => value is T) & { errors?: unknown }) {
  return (item: unknown): T => {
    if (!validate(item)) throw fromValidation((validate.errors as AjvError[])[0] as AjvError, "body");
    return item;
  };
}

export function createBulkTimeEntries(deps: { db: Db }) {
  const asCreate = checked(validCreate);
  const asUpdate = checked(validUpdate);
  return {
    create: (ctx: OrgContext, principal: Principal, list: unknown[]) =>
      allOrNothing(deps.db, list, (trx, item) =>
        createTimeEntryService({ db: trx }).create(ctx, principal, asCreate(item)),
      ),

    update: (ctx: OrgContext, principal: Principal, list: unknown[]) =>
      allOrNothing(deps.db, list, (trx, item) => {
        const { id, ...body } = asUpdate(item);
        return createTimeEntryService({ db: trx }).update(ctx, principal, id, body);
      }),

    remove: async (ctx: OrgContext, principal: Principal, ids: string[]) => {
      await allOrNothing(deps.db, ids, (trx, id) =>
        createTimeEntryService({ db: trx }).remove(ctx, principal, id),
      );
    },
  };
}
