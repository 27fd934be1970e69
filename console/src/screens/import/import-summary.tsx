import type { Job } from "@voltasis/sdk";

type ImportResult = Extract<NonNullable<Job["result"]>, { errors: unknown }>;

/** Row errors listed in full up to here; the rest are counted ("and N more"). */
const LISTED = 20;

export function importResultOf(job: Job): ImportResult | undefined {
  return job.result && "errors" in job.result ? job.result : undefined;
}

/**
 * What an import did, or in a dry run would do: counts of what it creates, rows skipped as
 * imported before, and the rows refused, each by its row number in the file.
 */
export function ImportSummary({ job, result }: { job: Job; result: ImportResult }) {
  const dry = result.dry_run;
  const counts = [
    ["Entries", result.rows_imported],
    ["Clients", result.created.clients],
    ["Projects", result.created.projects],
    ["Tasks", result.created.tasks],
    ["Tags", result.created.tags],
    ["Already imported", result.rows_skipped],
    ["Rows with errors", result.rows_failed],
  ] as const;
  const more = result.rows_failed - Math.min(result.errors.length, LISTED);
  return (
    <section className="panel stack" aria-labelledby="import-summary-heading">
      <h2 id="import-summary-heading">
        {dry
          ? "What importing this file would do"
          : job.status === "failed"
            ? "Nothing imported"
            : "Imported"}
      </h2>
      <p>{verdict(job, result)}</p>
      <dl className="totals" aria-label={dry ? "Would create" : "Created"}>
        {counts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              <strong>{value}</strong>
            </dd>
          </div>
        ))}
      </dl>
      {result.rates_dropped > 0 && (
        <p className="hint">
          {result.rates_dropped} entries without the file's hourly rate: its currency is not the
          organization's, so they take the project's or the person's rate.
        </p>
      )}
      {result.errors.length > 0 && (
        <>
          <h3 id="import-errors-heading">Rows with errors</h3>
          <ul className="plain-list" aria-labelledby="import-errors-heading">
            {result.errors.slice(0, LISTED).map((error) => (
              <li key={`${error.row}-${error.field}`}>
                <span>
                  <strong>Row {error.row}</strong> ({error.field}): {error.message}
                </span>
              </li>
            ))}
          </ul>
          {more > 0 && <p>…and {more} more.</p>}
          {result.errors.some((e) => e.field === "person" && e.reason === "not_found") && (
            <p className="hint">
              Rows of people who are not members here: invite them under Members first, or choose “Import
              their time as mine”.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function verdict(job: Job, result: ImportResult): string {
  const rows = `${result.rows_total} row${result.rows_total === 1 ? "" : "s"}`;
  if (job.error?.code === "rows_invalid") {
    return `The file has ${rows}. ${result.rows_failed} of them ${result.rows_failed === 1 ? "has an error" : "have errors"} and “All or nothing” was ticked, so nothing was imported: fix the rows below, or untick it to import the others.`;
  }
  if (job.status === "failed") return job.error?.message ?? "The import failed.";
  if (result.dry_run) {
    if (result.rows_failed > 0 && result.mode === "all_or_nothing") {
      return `The file has ${rows}. With “All or nothing”, importing it now would import nothing: fix the rows below, or untick it to import the others.`;
    }
    return `The file has ${rows}. Nothing has been written yet: press Import to import it.`;
  }
  if (result.rows_imported === 0 && result.rows_skipped > 0) {
    return `Nothing new: the ${result.rows_skipped} rows already imported were left as they are.`;
  }
  return `The file had ${rows}; the entries are on the Time screen and in Reports.`;
}
