import type { Db } from "../../platform/db/connection.js";
import { newId } from "../../platform/ids.js";

/**
 * Report tests arrange rows with SQL: a report only reads, and this keeps its tests independent of
 * the endpoints that write projects and entries.
 */
export function reportData(db: Db, orgId: string) {
  return {
    async settings(values: { timezone?: string; week_start?: "monday" | "sunday"; currency?: string }) {
      await db
        .updateTable("organization_settings")
        .set(values)
        .where("organization_id", "=", orgId)
        .execute();
    },

    async client(name: string) {
      const id = newId("client");
      await db.insertInto("clients").values({ id, organization_id: orgId, name }).execute();
      return id;
    },

    async project(name: string, clientId: string | null = null) {
      const id = newId("project");
      await db
        .insertInto("projects")
        .values({ id, organization_id: orgId, name, client_id: clientId })
        .execute();
      return id;
    },

    async task(projectId: string, title: string) {
      const id = newId("task");
      await db
        .insertInto("tasks")
        .values({ id, organization_id: orgId, project_id: projectId, title })
        .execute();
      return id;
    },

    async tag(name: string) {
      const id = newId("tag");
      await db.insertInto("tags").values({ id, organization_id: orgId, name }).execute();
      return id;
    },

    /** `end: null` is a running timer; `seconds` is a shorthand for end = start + seconds. */
    async entry(entry: {
      user: string;
      start: string;
      seconds?: number;
      end?: string | null;
      project?: string | null;
      task?: string | null;
      billable?: boolean;
      rate?: number;
      tags?: string[];
      description?: string;
    }) {
      const id = newId("timeEntry");
      const start = new Date(entry.start);
      const end =
        entry.end !== undefined
          ? entry.end && new Date(entry.end)
          : new Date(start.getTime() + (entry.seconds ?? 3600) * 1000);
      await db
        .insertInto("time_entries")
        .values({
          id,
          organization_id: orgId,
          user_id: entry.user,
          project_id: entry.project ?? null,
          task_id: entry.task ?? null,
          description: entry.description ?? "",
          start_at: start,
          end_at: end,
          billable: entry.billable ?? true,
          billable_rate: entry.rate ?? 0,
        })
        .execute();
      for (const tagId of entry.tags ?? []) {
        await db
          .insertInto("time_entry_tags")
          .values({ organization_id: orgId, time_entry_id: id, tag_id: tagId })
          .execute();
      }
      return id;
    },
  };
}

/**
 * The happy-path data set: two users, two clients, three projects (one without a client), two
 * tasks, two tags and five stopped entries in March 2024 (UTC), plus entries just outside the
 * month and a running timer, which no report may count.
 */
export async function arrangeMarch(db: Db, orgId: string, owner: string, member: string) {
  const d = reportData(db, orgId);
  await d.settings({ currency: "EUR" });
  const acme = await d.client("Acme");
  const globex = await d.client("Globex");
  const website = await d.project("Website", acme);
  const mobile = await d.project("Mobile", globex);
  const internal = await d.project("Internal");
  const design = await d.task(website, "Design");
  const build = await d.task(website, "Build");
  const urgent = await d.tag("Urgent");
  const review = await d.tag("Review");
  const entry = (
    user: string,
    start: string,
    seconds: number,
    more: Partial<Parameters<typeof d.entry>[0]> = {},
  ) => d.entry({ user, start, seconds, ...more });
  // 3600 s at 100.00/h = 10000; 1800 s at 90.00/h = 4500; 5400 s at 80.00/h = 12000.
  const e1 = await entry(owner, "2024-03-04T09:00:00Z", 3600, {
    project: website,
    task: design,
    rate: 10000,
    tags: [urgent, review],
    description: "Wireframes",
  });
  const e2 = await entry(owner, "2024-03-05T10:00:00Z", 1800, {
    project: mobile,
    rate: 9000,
    tags: [urgent],
  });
  const e3 = await entry(member, "2024-03-05T13:00:00Z", 5400, { project: website, task: build, rate: 8000 });
  const e4 = await entry(member, "2024-03-11T08:00:00Z", 7200, {
    project: internal,
    rate: 8000,
    billable: false,
  });
  const e5 = await entry(member, "2024-03-12T09:00:00Z", 900);
  // Outside the period (to is exclusive), and a running timer: none of them counts.
  await entry(owner, "2024-02-29T23:59:59Z", 600, { project: website, rate: 10000 });
  await entry(owner, "2024-04-01T00:00:00Z", 600, { project: website, rate: 10000 });
  await d.entry({ user: member, start: "2024-03-20T09:00:00Z", end: null, project: website, rate: 10000 });
  return {
    owner,
    member,
    acme,
    globex,
    website,
    mobile,
    internal,
    design,
    build,
    urgent,
    review,
    e1,
    e2,
    e3,
    e4,
    e5,
  };
}
export type MarchIds = Awaited<ReturnType<typeof arrangeMarch>>;
