import { randomFillSync } from "node:crypto";

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
let lastTimeDigits = "";
// 16 base32 digits of randomness; within one millisecond, the previous value plus one.
const lastRandom = new Uint8Array(16);
// Random bytes are drawn a few thousand at a time: ids are made on every request.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function nextRandom(time: number): void {
  if (time === lastTime) {
    let i = lastRandom.length - 1;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i >= 0) lastRandom[i] = (lastRandom[i] as number) + 1;
    return;
  }
  if (poolOffset + lastRandom.length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // 256 is a multiple of 32, so the remainder keeps every digit equally likely.
  for (let i = 0; i < lastRandom.length; i++) lastRandom[i] = (pool[poolOffset + i] as number) % 32;
  pool.fill(0, poolOffset, poolOffset + lastRandom.length);
  poolOffset += lastRandom.length;
  let digits = "";
  for (let i = 0, t = time; i < 10; i++, t = Math.floor(t / 32)) digits = ALPHABET[t % 32] + digits;
  lastTime = time;
  lastTimeDigits = digits;
}

/**
 * `<prefix>_<26 chars>`: 48 bits of milliseconds then 80 random bits (the ULID layout), so ids
 * are opaque and unguessable yet sort by creation time, which keeps B-tree inserts local. Ids
 * made in the same millisecond by this process still sort in the order they were made (ULID's
 * monotonic mode), so events of one transaction list in the order they happened.
 */
export function newId(kind: IdKind, now = Date.now()): string {
  nextRandom(now);
  let rand = "";
  for (const digit of lastRandom) rand += ALPHABET[digit];
  return `${ID_PREFIXES[kind]}_${lastTimeDigits}${rand}`;
}

const ID_BODY = "[0-9A-HJKMNP-TV-Z]{26}";

/** A pattern for route params and filters, so a malformed id is a 400 naming the field. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_${ID_BODY}$`;
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(idPattern(kind)).test(value);
}
