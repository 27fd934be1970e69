import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { problemOf } from "../../api/errors";
import { FormError } from "../../ui/field";
import { instantOf } from "../../ui/format";
import { JobProgress, useJob } from "../../ui/job-progress";
import type { Period } from "./period";

/**
 * An export is a job (SPEC §6): created, followed while it runs (its progress as a bar), then its
 * file downloaded through the SDK and handed to the browser as a Blob.
 */
export function ExportJob({ period }: { period: Period }) {
  const [format, setFormat] = useState<"csv" | "json">("csv");
  const create = useMutation({
    // Exports filter like the time-entry list, by instants: the period's days, in this browser's zone.
    mutationFn: () =>
      api.jobs.create({
        type: "export.time_entries",
        params: { format, from: instantOf(period.from, "00:00"), to: instantOf(period.to, "00:00") },
      }),
  });
  const { job, error } = useJob(create.data);
  const download = useMutation({
    mutationFn: async () => {
      const response = await api.jobs.result(job?.id as string);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = `time-entries.${format}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <section className="panel stack" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <div className="row-form">
        <div className="field">
          <label htmlFor="export-format">File format</label>
          <select
            id="export-format"
            value={format}
            onChange={(e) => setFormat(e.target.value as "csv" | "json")}
          >
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </div>
        <button
          type="button"
          onClick={() => create.mutate()}
          disabled={create.isPending || job?.status === "running"}
        >
          Export time entries
        </button>
      </div>
      {job && (
        <JobProgress
          id="export-progress"
          label="Export progress"
          what="Export"
          job={job}
          done="Export ready"
        />
      )}
      {job?.status === "succeeded" && (
        <button type="button" onClick={() => download.mutate()} disabled={download.isPending}>
          Download export
        </button>
      )}
      <FormError message={problemOf(create.error ?? error ?? download.error)?.message} />
    </section>
  );
}
