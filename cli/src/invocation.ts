/**
 * What every command's action starts from: its options (its own and the global ones), the
 * output and the session. And the few option parsers the commands share.
 */
import type { PagePromise } from "@voltasis/sdk";
import { type Command, InvalidArgumentError } from "commander";
import { type Column, Output } from "./output.js";
import { type GlobalOptions, Session } from "./session.js";

export interface Invocation<O> {
  options: O & GlobalOptions;
  output: Output;
  session: Session;
}

export function invocation<O = Record<string, unknown>>(command: Command): Invocation<O> {
  const options = command.optsWithGlobals<O & GlobalOptions>();
  const output = new Output({ json: Boolean(options.json) });
  return { options, output, session: new Session(options, output) };
}

/**
 * Prints a list: every item, page after page as the output reaches it, or with `--limit n` one
 * page of n items. All items are asked for 100 per page, the API's largest.
 */
export async function printList<T, P extends object>(
  output: Output,
  list: (params: P & { limit?: number; per_page?: number }) => PagePromise<T>,
  params: P,
  limit: number | undefined,
  columns: Column<T>[],
): Promise<void> {
  const items =
    limit === undefined ? list({ ...params, per_page: 100 }) : (await list({ ...params, limit })).data;
  await output.list(items, columns);
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("Not a positive integer.");
  return number;
}

export function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError("Not an integer of 0 or more.");
  return number;
}

export function decimal(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new InvalidArgumentError("Not a number.");
  return number;
}

/** A repeatable option that also takes comma-separated values: `--scope read --scope write:tags,read:users`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  const values = value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...values];
}

/** The keys of `source` whose value is given (commander leaves the others undefined). */
export function given<T extends object>(source: T): Partial<T> {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined)) as Partial<T>;
}
