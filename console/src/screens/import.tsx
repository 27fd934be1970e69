import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api } from "../api/client";
import { problemOf } from "../api/errors";
import { useSettings } from "../api/queries";
import { Empty, Loading } from "../ui/empty";
import { FormError } from "../ui/field";
import { JobProgress, useJob } from "../ui/job-progress";
import { Page } from "../ui/page";
import { ImportForm, type ImportRequest } from "./import/import-form";
import { ImportSummary, importResultOf } from "./import/import-summary";

// An import writes these; its job raises one job.succeeded event rather than one per entry.
const WRITTEN = ["time-entries", "timer", "reports", "projects", "clients", "tasks", "tags"];

/**
 * Bringing time over from Toggl Track, Clockify, Harvest or a Voltasis CSV (docs/migrating.md):
 * an `import.time_entries` job, first as a dry run ("Check file"), then for real.
 */
export function ImportScreen() {
  const settings = useSettings();
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: (params: ImportRequest) => api.jobs.create({ type: "import.time_entries", params }),
  });
  const { job, finished, error } = useJob(start.data);
  const dryRun = start.variables?.dry_run ?? true;
  const result = job && finished ? importResultOf(job) : undefined;

  useEffect(() => {
    if (job?.status === "succeeded" && !dryRun) {
      for (const key of WRITTEN) void queryClient.invalidateQueries({ queryKey: [key] });
    }
  }, [job?.status, dryRun, queryClient]);

  return (
    <Page title="Import">
      <Empty>
        Export your time from the other product as CSV, choose the file here and press “Check file” to see
        what it would create; then “Import”. Importing the same file again adds nothing twice.
      </Empty>
      {settings.isPending ? (
        <Loading what="settings" />
      ) : (
        <ImportForm
          defaultZone={settings.data?.timezone ?? ""}
          busy={start.isPending || (job !== undefined && !finished)}
          error={start.error}
          onRun={(request) => start.mutate(request)}
          onEdit={() => start.reset()}
        />
      )}
      {job && (
        <div className="card">
          <JobProgress
            id="import-progress"
            label={dryRun ? "Checking the file" : "Import progress"}
            what={dryRun ? "Check" : "Import"}
            job={job}
            done={dryRun ? "Checked" : "Import finished"}
          />
        </div>
      )}
      {job && result && <ImportSummary job={job} result={result} />}
      <FormError message={problemOf(error)?.message} />
    </Page>
  );
}
