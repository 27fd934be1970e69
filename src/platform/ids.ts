import { randomBytes } from "node:crypto";

// Crockford base32: sortable as plain strings, no ambiguous letters.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const ID_PREFIXES = {
  organization: "org",
  user: "usr",
  client: "cli",
  project: "prj",
  task: "tsk",
  tag: "tag",
  timeEntry: "te",
  apiKey: "key",
  webhook: "whk",
  event: "evt",
  delivery: "dlv",
  job: "job",
  request: "req",
  session: "ses",
  logEntry: "log",
  attempt: "att",
  invitation: "inv",
  oauthApp: "oap",
  oauthGrant: "ogr",
  oauthRequest: "oar",
  oauthSession: "oas",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

let lastTime = -1;
let lastRandom: number[] = [];

/** 16 base32 digits of randomness; within one millisecond, the previous value plus one. */
function randomPart(time: number): number[] {
  if (time === lastTime) {
    const next = [...lastRandom];
    let i = next.length - 1;
    while (i >= 0 && next[i] === 31) next[i--] = 0;
    if (i >= 0) next[i] = (next[i] as number) + 1;
    lastRandom = next;
    return next;
  }
  lastTime = time;
  lastRandom = [...randomBytes(16)].map((byte) => byte % 32);
  return lastRandom;
}

/**
 * `<prefix>_<26 chars>`: 48 bits of milliseconds then 80 random bits (the ULID layout), so ids
 * are opaque and unguessable yet sort by creation time, which keeps B-tree inserts local. Ids
 * made in the same millisecond by this process still sort in the order they were made (ULID's
 * monotonic mode), so events of one transaction list in the order they happened.
 */
export function newId(kind: IdKind, now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = randomPart(now)
    .map((digit) => ALPHABET[digit])
    .join("");
  return `${ID_PREFIXES[kind]}_${time}${rand}`;
}

const ID_BODY = "[0-9A-HJKMNP-TV-Z]{26}";

/** A pattern for route params and filters, so a malformed id is a 400 naming the field. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_${ID_BODY}$`;
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(idPattern(kind)).test(value);
}
