import { APIError } from "@voltasis/sdk";
import { type FormEvent, useState } from "react";
import { fieldError, type Problem, problemOf } from "../../api/errors";
import { Field } from "../../ui/field";
import { TimeZoneInput } from "../../ui/time-zone-input";
import { text } from "../../ui/use-submit";
import { DATE_FORMATS, type DateFormat, MAX_FILE_BYTES, SOURCES, type Source } from "./sources";

export interface ImportRequest {
  csv: string;
  source: Source;
  timezone?: string;
  date_format?: DateFormat;
  unknown_people: "report" | "import_as_me";
  mode: "all_or_nothing" | "valid_rows";
  dry_run: boolean;
}

const MEGABYTES = MAX_FILE_BYTES / 1_048_576;

/** The API's refusal, with another product's header said in the form's own words. */
function requestProblem(error: unknown): Problem | undefined {
  const problem = problemOf(error);
  const detected =
    error instanceof APIError && error.details.reason === "wrong_product"
      ? SOURCES.find((s) => s.value === error.details.detected)
      : undefined;
  if (!problem || !detected) return problem;
  return {
    ...problem,
    message: `This file looks like a ${detected.label} export: choose “${detected.label}” under “Exported from”, or pick the right file.`,
  };
}

/**
 * The file and how to read it. The file is read here, in the browser, and sent as the job's `csv`;
 * "Check file" asks for a dry run, "Import" for the real thing. The request's own refusal (a
 * header of another product, a body over the limit) is shown at the file, a bad time zone at its field.
 */
export function ImportForm(props: {
  defaultZone: string;
  busy: boolean;
  /** The last request's refusal. */
  error: unknown;
  onRun: (request: ImportRequest) => void;
  onEdit: () => void;
}) {
  const [source, setSource] = useState<Source>("toggl");
  const [fileError, setFileError] = useState<string>();
  const foreign = source !== "voltasis";
  const hint = SOURCES.find((s) => s.value === source)?.hint;
  const problem = requestProblem(props.error);
  const zoneError = fieldError(problem, "params.timezone");
  const dateError = fieldError(problem, "params.date_format");
  const requestError = zoneError || dateError ? undefined : problem?.message;

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const form = new FormData(event.currentTarget);
    const file = form.get("file");
    if (!(file instanceof File) || file.name === "") return setFileError("Choose the CSV file to import.");
    if (file.size > MAX_FILE_BYTES) {
      return setFileError(
        `The file is ${(file.size / 1_048_576).toFixed(1)} MB; an import takes up to ${MEGABYTES} MB. Export a shorter period and import it in parts.`,
      );
    }
    const csv = await file.text();
    if (csv.trim() === "") return setFileError("The file is empty.");
    setFileError(undefined);
    props.onRun({
      csv,
      source,
      ...(foreign && {
        timezone: text(form, "timezone"),
        date_format: text(form, "date_format") as DateFormat | undefined,
      }),
      unknown_people: form.get("unknown_people") === "import_as_me" ? "import_as_me" : "report",
      mode: form.get("all_or_nothing") === "on" ? "all_or_nothing" : "valid_rows",
      dry_run: submitter?.value !== "import",
    });
  };

  return (
    <form
      className="card stack"
      aria-labelledby="import-file-heading"
      noValidate
      onSubmit={(e) => void onSubmit(e)}
      onChange={() => {
        setFileError(undefined);
        props.onEdit();
      }}
    >
      <h2 id="import-file-heading">What to import</h2>
      <div className="row-form top">
        <Field label="Exported from" hint={hint}>
          {(control) => (
            <select
              {...control}
              name="source"
              value={source}
              onChange={(e) => setSource(e.target.value as Source)}
            >
              {SOURCES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="CSV file"
          className="grow"
          hint={`Up to ${MEGABYTES} MB and 100,000 rows, as the product exported it`}
          error={fileError ?? requestError}
        >
          {(control) => <input {...control} name="file" type="file" accept=".csv,text/csv,text/plain" />}
        </Field>
      </div>
      {foreign && (
        <div className="row-form top">
          <Field
            label="Time zone of the file"
            hint="Toggl: your profile's; Clockify and Harvest: the account's"
            error={zoneError}
          >
            {(control) => (
              <TimeZoneInput control={control} name="timezone" defaultValue={props.defaultZone} />
            )}
          </Field>
          <Field label="Dates written as" error={dateError}>
            {(control) => (
              <select {...control} name="date_format" defaultValue="">
                <option value="">Detect from the file</option>
                {DATE_FORMATS.map((format) => (
                  <option key={format} value={format}>
                    {format}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      )}
      <fieldset>
        <legend>Rows of people who are not members here</legend>
        <label className="check">
          <input type="radio" name="unknown_people" value="report" defaultChecked />
          Report them as errors
        </label>
        <label className="check">
          <input type="radio" name="unknown_people" value="import_as_me" />
          Import their time as mine
        </label>
      </fieldset>
      <label className="check">
        <input type="checkbox" name="all_or_nothing" defaultChecked />
        All or nothing: import no row if any row has an error
      </label>
      <div className="buttons">
        <button type="submit" name="run" value="check" disabled={props.busy}>
          Check file
        </button>
        <button type="submit" name="run" value="import" disabled={props.busy}>
          Import
        </button>
      </div>
    </form>
  );
}
