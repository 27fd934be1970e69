import { APIError } from "@voltasis/sdk";
import { SessionError } from "./session";

/** What went wrong, in the API's own words, and the field it names (`details.field`), if any. */
export interface Problem {
  message: string;
  field: string | undefined;
}

export function problemOf(error: unknown): Problem | undefined {
  if (!error) return undefined;
  if (error instanceof APIError) {
    const field = typeof error.details.field === "string" ? error.details.field : undefined;
    return { message: error.message, field };
  }
  if (error instanceof SessionError) return { message: error.message, field: error.field };
  return { message: error instanceof Error ? error.message : String(error), field: undefined };
}

/** The message for one field, when the problem names it. */
export function fieldError(problem: Problem | undefined, field: string): string | undefined {
  return problem?.field === field ? problem.message : undefined;
}

/** The message when no field of the form shows it. */
export function formError(problem: Problem | undefined, fields: readonly string[]): string | undefined {
  return problem && (!problem.field || !fields.includes(problem.field)) ? problem.message : undefined;
}
