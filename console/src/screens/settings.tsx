import { useQuery } from "@tanstack/react-query";
import type { Settings, SettingsUpdateParams } from "@voltasis/sdk";
import { useState } from "react";
import { api, liveApi } from "../api/client";
import { fieldError, formError, problemOf } from "../api/errors";
import { useSettings } from "../api/queries";
import { Loading } from "../ui/empty";
import { Field, FormError } from "../ui/field";
import { formatDateTime, fromMinorUnits, toMinorUnits } from "../ui/format";
import { Page } from "../ui/page";
import { TimeZoneInput } from "../ui/time-zone-input";
import { useChange } from "../ui/use-change";
import { text, useSubmit } from "../ui/use-submit";

const ROUNDING = [0, 1, 5, 6, 10, 15, 30, 60] as const;
const FIELDS = ["timezone", "week_start", "currency", "default_hourly_rate", "rounding_minutes", "lock_date"];

export function SettingsScreen() {
  const settings = useSettings();
  return (
    <Page title="Settings">
      {settings.isPending && <Loading what="settings" />}
      {settings.error && <p className="error">{problemOf(settings.error)?.message}</p>}
      {settings.data && <SettingsForm settings={settings.data} />}
      <SandboxPanel />
    </Page>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const [saved, setSaved] = useState(false);
  const save = useChange(
    (patch: SettingsUpdateParams) => api.settings.update(patch),
    ["settings", "time-entries"],
  );
  const { onSubmit, problem, pending } = useSubmit(async (form) => {
    setSaved(false);
    await save.mutateAsync({
      timezone: text(form, "timezone"),
      week_start: text(form, "week_start") === "sunday" ? "sunday" : "monday",
      currency: text(form, "currency")?.toUpperCase(),
      default_hourly_rate: toMinorUnits(text(form, "default_hourly_rate") ?? "0"),
      rounding_minutes: Number(text(form, "rounding_minutes") ?? 0) as Settings["rounding_minutes"],
      lock_date: text(form, "lock_date") ?? null,
      prevent_overlaps: form.get("prevent_overlaps") === "on",
      members_set_rates: form.get("members_set_rates") === "on",
    });
    setSaved(true);
  });
  return (
    <form className="panel stack" onSubmit={onSubmit} noValidate aria-labelledby="settings-heading">
      <h2 id="settings-heading">Organization</h2>
      <div className="row-form">
        <Field label="Time zone" error={fieldError(problem, "timezone")}>
          {(control) => <TimeZoneInput control={control} name="timezone" defaultValue={settings.timezone} />}
        </Field>
        <Field label="Week starts on" error={fieldError(problem, "week_start")}>
          {(control) => (
            <select {...control} name="week_start" defaultValue={settings.week_start}>
              <option value="monday">Monday</option>
              <option value="sunday">Sunday</option>
            </select>
          )}
        </Field>
        <Field label="Currency" hint="ISO 4217, e.g. EUR" error={fieldError(problem, "currency")}>
          {(control) => <input {...control} name="currency" maxLength={3} defaultValue={settings.currency} />}
        </Field>
        <Field label="Default hourly rate" error={fieldError(problem, "default_hourly_rate")}>
          {(control) => (
            <input
              {...control}
              name="default_hourly_rate"
              type="number"
              min="0"
              step="0.01"
              defaultValue={fromMinorUnits(settings.default_hourly_rate)}
            />
          )}
        </Field>
        <Field label="Round durations to" error={fieldError(problem, "rounding_minutes")}>
          {(control) => (
            <select {...control} name="rounding_minutes" defaultValue={settings.rounding_minutes}>
              {ROUNDING.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes === 0 ? "No rounding" : `${minutes} minute${minutes === 1 ? "" : "s"}`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Lock time before"
          hint="Entries before this date are read-only"
          error={fieldError(problem, "lock_date")}
        >
          {(control) => (
            <input {...control} name="lock_date" type="date" defaultValue={settings.lock_date ?? ""} />
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" name="prevent_overlaps" defaultChecked={settings.prevent_overlaps} />
        Refuse overlapping time entries
      </label>
      <label className="check">
        <input type="checkbox" name="members_set_rates" defaultChecked={settings.members_set_rates} />
        Members may set hourly rates on their entries
      </label>
      <FormError message={formError(problem, FIELDS)} />
      <p role="status" className="hint">
        {saved ? "Settings saved." : ""}
      </p>
      <div>
        <button type="submit" disabled={pending}>
          Save settings
        </button>
      </div>
    </form>
  );
}

/** The sandbox (SPEC §8): its demo data, restored on demand and every day at 00:00 UTC. */
function SandboxPanel() {
  const sandbox = useQuery({ queryKey: ["sandbox-info"], queryFn: () => liveApi.sandbox.retrieve() });
  const reset = useChange(() => liveApi.sandbox.reset(), ["sandbox-info"]);
  return (
    <section className="panel stack" aria-labelledby="sandbox-heading">
      <h2 id="sandbox-heading">Test data</h2>
      <p>
        The sandbox is a copy of this organization with demo data, for trying the API with a test key
        (vlt_test_…) or with the “Test data” switch at the top.
      </p>
      {sandbox.data && (
        <p className="hint">
          Last restored {formatDateTime(sandbox.data.reset_at)}; next automatic reset{" "}
          {formatDateTime(sandbox.data.next_reset_at)}.
        </p>
      )}
      <div>
        <button
          type="button"
          className="danger"
          disabled={reset.isPending}
          onClick={() =>
            window.confirm("Delete the test data and restore the demo data?") && reset.mutate(undefined)
          }
        >
          Reset test data
        </button>
      </div>
      {reset.isSuccess && <p role="status">Test data restored.</p>}
      <FormError message={problemOf(sandbox.error ?? reset.error)?.message} />
    </section>
  );
}
