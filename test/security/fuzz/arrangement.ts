import { expect } from "vitest";
import { createJobWorker } from "../../../src/features/jobs/worker.js";
import { systemClock } from "../../../src/platform/background/clock.js";
import { createKey } from "../../helpers/api-keys.js";
import type { TestApp } from "../../helpers/app.js";
import { type Account, call, registerAccount } from "../../helpers/fixtures.js";
import { addMember, login } from "../../helpers/members.js";
import { unknownId } from "./baseline.js";
import type { Actual } from "./placeholders.js";

type Method = "GET" | "POST" | "DELETE";

interface Maker {
  /** Prefixes whose ids this resource is made with; remaking one of them remakes this too. */
  needs: string[];
  make(): Promise<string>;
}

/**
 * One organization with one resource of each kind, so that every id pattern in the OpenAPI
 * documents can be filled with an id that exists. The owner's access token is the fuzz
 * requests' credential; an admin API key is one of the credentials they try.
 */
export async function arrange(t: TestApp) {
  const owner: Account = await registerAccount(t.app);
  let token = owner.accessToken;
  const adminKey = (await createKey(t.app, token, { name: "Fuzz admin", scopes: ["admin"] })).secret;
  const ids = new Map<string, string>([["org", owner.orgId]]);
  let serial = 0;

  async function api(method: Method, url: string, payload?: object) {
    const res = await call(t.app, token, { method, url, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.body ? res.json().data : undefined;
  }
  const id = (prefix: string) => ids.get(prefix) as string;
  const idOf = (prefix: string) => ids.get(prefix) ?? unknownId(prefix);
  const created = async (url: string, payload: object) => (await api("POST", url, payload)).id as string;

  // In the order they are first made: each needs only the ones above it.
  const makers: Record<string, Maker> = {
    usr: {
      needs: [],
      make: async () => (await addMember(t.app, token, { role: "member", password: "fuzz member pw" })).id,
    },
    cli: { needs: [], make: () => created("/v1/clients", { name: `Fuzz client ${++serial}` }) },
    prj: {
      needs: ["cli"],
      make: () => created("/v1/projects", { name: `Fuzz project ${++serial}`, client_id: id("cli") }),
    },
    tsk: { needs: ["prj"], make: () => created("/v1/tasks", { title: "Fuzz task", project_id: id("prj") }) },
    tag: { needs: [], make: () => created("/v1/tags", { name: `Fuzz tag ${++serial}` }) },
    // An hour of its own, away from the documents' example instants: a fuzz request may have
    // turned prevent_overlaps on, and then no entry may overlap another.
    te: {
      needs: ["prj", "tsk", "tag"],
      make: () =>
        created("/v1/time-entries", {
          start: new Date(Date.UTC(2023, 6, 1) + ++serial * 3_600_000).toISOString(),
          duration: 3_600,
          project_id: id("prj"),
          task_id: id("tsk"),
          tag_ids: [id("tag")],
        }),
    },
    key: { needs: [], make: async () => (await createKey(t.app, token, { name: "Fuzz target" })).id },
    whk: {
      needs: [],
      make: () => created("/v1/webhooks", { url: "http://127.0.0.1:9/fuzz", events: ["time_entry.created"] }),
    },
    dlv: { needs: ["whk"], make: () => created(`/v1/webhooks/${id("whk")}/test`, {}) },
    // Workers are off (background writes would move the fingerprints), so the job is run here.
    job: {
      needs: [],
      make: async () => {
        const jobId = await created("/v1/jobs", { type: "export.time_entries", params: { format: "csv" } });
        await createJobWorker({ db: t.db, clock: systemClock, log: t.app.log }).runOnce();
        return jobId;
      },
    },
    evt: { needs: [], make: async () => (await api("GET", "/v1/events?limit=1"))[0].id },
  };

  async function remake(prefix: string) {
    const maker = makers[prefix];
    if (!maker) return;
    ids.set(prefix, await maker.make());
    for (const [other, dependent] of Object.entries(makers)) {
      if (dependent.needs.includes(prefix)) await remake(other);
    }
  }
  for (const [prefix, maker] of Object.entries(makers)) ids.set(prefix, await maker.make());

  return {
    token: () => token,
    ids: idOf,
    /** What the placeholders of the fuzz cases stand for, now. */
    actual: (): Actual => ({ token, adminKey, ids: idOf }),

    /**
     * After a fuzz request that succeeded and may have changed things: sign in again if it ended
     * the session, remake what a DELETE removed, and delete a timer it started (one running timer
     * per user would turn every later time-entry request into a 409 before it reached the data).
     */
    async restore(method: string, url: string) {
      const me = await call(t.app, token, { method: "GET", url: "/v1/auth/me" });
      if (me.statusCode === 401) token = (await login(t.app, owner.email, owner.password)).accessToken;
      if (method === "DELETE") {
        const target = url.split("?")[0]?.split("/").pop();
        const gone = [...ids].find(([, value]) => value === target)?.[0];
        if (gone) await remake(gone);
      }
      const running = await api("GET", "/v1/time-entries/current");
      if (running) {
        await api("DELETE", `/v1/time-entries/${running.id}`);
        // The arranged entry itself, restarted by a PATCH with `end: null`.
        if (running.id === ids.get("te")) await remake("te");
      }
    },
  };
}

export type Arrangement = Awaited<ReturnType<typeof arrange>>;
