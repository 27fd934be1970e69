import { useQuery } from "@tanstack/react-query";
import type { Job } from "@voltasis/sdk";
import { api } from "../api/client";

const unfinished = (job: Job | undefined) => job?.status === "queued" || job?.status === "running";

/**
 * A job (SPEC §6) followed from its creation until it has finished: asked again every half second
 * while queued or running. Answers the newest state known, the created job's until the first poll.
 */
export function useJob(created: Job | undefined) {
  const polled = useQuery({
    queryKey: ["jobs", created?.id],
    queryFn: () => api.jobs.retrieve(created?.id as string),
    enabled: created !== undefined,
    refetchInterval: (query) => (unfinished(query.state.data ?? created) ? 500 : false),
  });
  const job = polled.data ?? created;
  return { job, finished: job !== undefined && !unfinished(job), error: polled.error };
}

/** A job's progress as a labelled bar, and its status in words, announced as it changes. */
export function JobProgress(props: { id: string; label: string; what: string; job: Job; done: string }) {
  const { job, what } = props;
  return (
    <div className="stack">
      <label htmlFor={props.id}>{props.label}</label>
      <progress id={props.id} max={100} value={job.progress} />
      <p role="status">
        {job.status === "succeeded"
          ? `${props.done} (${job.progress}%).`
          : job.status === "failed"
            ? `${what} failed: ${job.error?.message ?? "unknown error"}`
            : `${what} ${job.status} (${job.progress}%)…`}
      </p>
    </div>
  );
}
