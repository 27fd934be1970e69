import { useState } from "react";
import { addDays, isoDate } from "../ui/format";
import { Page } from "../ui/page";
import { DetailedReport } from "./reports/detailed";
import { ExportJob } from "./reports/export-job";
import type { Period } from "./reports/period";
import { type Dimension, SummaryReport } from "./reports/summary";

export function ReportsScreen() {
  const today = new Date();
  const [from, setFrom] = useState(isoDate(new Date(today.getFullYear(), today.getMonth(), 1)));
  const [to, setTo] = useState(isoDate(today));
  const [by, setBy] = useState<Dimension>("project");
  const period: Period = { from, to: isoDate(addDays(new Date(`${to}T12:00:00`), 1)) };
  return (
    <Page title="Reports">
      <form className="card row-form" aria-label="Report period" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="report-from">From</label>
          <input
            id="report-from"
            type="date"
            value={from}
            onChange={(e) => e.target.value && setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="report-to">To</label>
          <input
            id="report-to"
            type="date"
            value={to}
            onChange={(e) => e.target.value && setTo(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="report-group">Group by</label>
          <select id="report-group" value={by} onChange={(e) => setBy(e.target.value as Dimension)}>
            <option value="project">Project</option>
            <option value="client">Client</option>
            <option value="user">Person</option>
            <option value="day">Day</option>
          </select>
        </div>
      </form>
      <SummaryReport period={period} by={by} />
      <DetailedReport period={period} />
      <ExportJob period={period} />
    </Page>
  );
}
