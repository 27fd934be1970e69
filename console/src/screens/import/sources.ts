import type { JobsCreateParams } from "@voltasis/sdk";

type ImportParams = Extract<JobsCreateParams["params"], { csv: string }>;
export type Source = NonNullable<ImportParams["source"]>;
export type DateFormat = NonNullable<ImportParams["date_format"]>;

/** The products whose exports the import reads, each with where its user finds the file (docs/migrating.md). */
export const SOURCES: ReadonlyArray<{ value: Source; label: string; hint: string }> = [
  {
    value: "toggl",
    label: "Toggl Track",
    hint: "In Toggl Track: Reports → Detailed → export (↓) → Download CSV",
  },
  { value: "clockify", label: "Clockify", hint: "In Clockify: Reports → Detailed → Export → Save as CSV" },
  { value: "harvest", label: "Harvest", hint: "In Harvest: Reports → Detailed time → Export → CSV" },
  {
    value: "voltasis",
    label: "Voltasis CSV",
    hint: "A CSV exported from Voltasis (Reports → Export), or written with its columns",
  },
];

/** How another product's file may write dates; the job detects it unless every day is 12 or less. */
export const DATE_FORMATS = [
  "YYYY-MM-DD",
  "MM/DD/YYYY",
  "DD/MM/YYYY",
  "DD.MM.YYYY",
  "MM-DD-YYYY",
  "DD-MM-YYYY",
] as const satisfies readonly DateFormat[];
// The compiler holds the list to the contract: a format the SDK knows and the list lacks fails the typecheck.
const complete: Exclude<DateFormat, (typeof DATE_FORMATS)[number]> extends never ? true : never = true;
void complete;

/** The API takes a request body of up to 32 MiB (POST /v1/jobs for imports); the file must fit in it. */
export const MAX_FILE_BYTES = 32 * 1_048_576;
