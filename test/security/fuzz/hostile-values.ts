import { ADMIN_KEY, TOKEN } from "./placeholders.js";

/**
 * The hostile values, one table per place a value can travel. Each is crossed with every input
 * of that place on every operation; a label names the value in failure reports.
 */
export interface Hostile {
  label: string;
  /** Body: raw JSON text put where the value goes. Query and path: text already percent-encoded. */
  raw: string;
}

const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty"];
const HUGE = "x".repeat(100_000);
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Values inside a JSON body, as JSON text (so that 1e400, lone surrogates and deep nesting survive). */
export const BODY_VALUES: Hostile[] = [
  ...["1e20", "-1", "9007199254740993", "1e308", "1e400", "-1e400", "-0.5", "2147483648"].map((n) => ({
    label: `number ${n}`,
    raw: n,
  })),
  { label: 'string "NaN"', raw: '"NaN"' },
  { label: 'string "Infinity"', raw: '"Infinity"' },
  { label: "NUL", raw: '"\\u0000"' },
  { label: "NUL inside", raw: '"a\\u0000b"' },
  { label: "lone high surrogate", raw: '"\\ud800"' },
  { label: "lone low surrogate", raw: '"x\\udfff"' },
  { label: "100 kB string", raw: JSON.stringify(HUGE) },
  { label: "empty string", raw: '""' },
  ...PROTOTYPE_NAMES.map((name) => ({ label: `string ${name}`, raw: JSON.stringify(name) })),
  { label: "object", raw: "{}" },
  { label: "object with __proto__ key", raw: '{"__proto__":{"polluted":1}}' },
  { label: "object with constructor.prototype", raw: '{"constructor":{"prototype":{"polluted":1}}}' },
  { label: "object with toString and hasOwnProperty keys", raw: '{"toString":1,"hasOwnProperty":1}' },
  { label: "array", raw: '["a","b"]' },
  { label: "empty array", raw: "[]" },
  { label: "null", raw: "null" },
  { label: "boolean", raw: "true" },
  { label: "arrays 1000 deep", raw: deepArray(1000) },
  { label: "objects 1000 deep", raw: deepObject(1000) },
  { label: "array of 10,000 items", raw: `[${Array(10_000).fill('"x"').join(",")}]` },
];

/** Values of a query parameter, percent-encoded as they travel. */
export const QUERY_VALUES: Hostile[] = [
  ...["1e20", "-1", "9007199254740993", "1e308", "-0.5", "NaN", "Infinity", "99999999999999999999999"].map(
    (n) => ({ label: `number ${n}`, raw: n }),
  ),
  { label: "NUL", raw: "%00" },
  { label: "NUL inside", raw: "a%00b" },
  { label: "UTF-8 of a lone surrogate", raw: "%ED%A0%80" },
  { label: "overlong NUL", raw: "%C0%80" },
  { label: "100 kB", raw: HUGE },
  { label: "empty", raw: "" },
  ...PROTOTYPE_NAMES.map((name) => ({ label: name, raw: name })),
  { label: "text []", raw: "%5B%5D" },
  { label: "text {}", raw: "%7B%7D" },
  { label: "text null", raw: "null" },
];

/** A path segment in place of an id, percent-encoded. */
export const PATH_VALUES: Hostile[] = [
  { label: "NUL", raw: "%00" },
  { label: "NUL inside", raw: "a%00b" },
  { label: "UTF-8 of a lone surrogate", raw: "%ED%A0%80" },
  { label: "malformed percent-encoding", raw: "%E0%A4%A" },
  ...PROTOTYPE_NAMES.map((name) => ({ label: name, raw: name })),
  ...["-1", "1e20", "NaN", "null"].map((text) => ({ label: text, raw: text })),
  { label: "10 kB", raw: "x".repeat(10_000) },
  { label: "encoded dot-dot", raw: "%2e%2e" },
  { label: "encoded slash", raw: "a%2Fb" },
];

/** Header values by header. */
export const HEADER_VALUES: Record<string, Hostile[]> = {
  authorization: [
    // Valid, but another kind of credential than the baseline's user token.
    { label: "the admin API key", raw: `Bearer ${ADMIN_KEY}` },
    { label: "empty", raw: "" },
    { label: "Bearer without token", raw: "Bearer" },
    { label: "Basic", raw: "Basic dXNlcjpwYXNz" },
    { label: "NUL after token", raw: `Bearer ${TOKEN}\u0000` },
    { label: "100 kB token", raw: `Bearer ${HUGE}` },
    ...PROTOTYPE_NAMES.map((name) => ({ label: name, raw: `Bearer ${name}` })),
  ],
  "x-organization-id": [
    { label: "NUL", raw: "\u0000" },
    { label: "another organization's well-formed id", raw: "org_01JD6V7W9Q3E4R5T6Y7V8K9M0P" },
    { label: "an id of another kind", raw: "usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P" },
    { label: "100 kB", raw: HUGE },
    { label: "empty", raw: "" },
    ...PROTOTYPE_NAMES.map((name) => ({ label: name, raw: name })),
  ],
  "x-request-id": [
    { label: "NUL", raw: "\u0000" },
    { label: "100 kB", raw: HUGE },
    { label: "__proto__", raw: "__proto__" },
    { label: "markup", raw: "<script>" },
  ],
};

/** Values of any other header an operation declares. */
export const DECLARED_HEADER_VALUES: Hostile[] = [
  { label: "NUL", raw: "\u0000" },
  { label: "100 kB", raw: HUGE },
  { label: "empty", raw: "" },
  ...["1e20", "-1", "NaN"].map((n) => ({ label: n, raw: n })),
  ...PROTOTYPE_NAMES.map((name) => ({ label: name, raw: name })),
];

/** Content types other than JSON, and JSON with charsets it cannot have, sent with a valid body. */
export const CONTENT_TYPES: Hostile[] = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzz",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "application/jsonx",
  "__proto__",
].map((type) => ({ label: type, raw: type }));

/** Whole bodies in place of the valid one (JSON text): every value a property gets, and then some. */
export const WHOLE_BODIES: Hostile[] = [
  ...BODY_VALUES,
  { label: "malformed JSON", raw: '{"a":' },
  { label: "NaN", raw: "NaN" },
  // Deeper than the call stack of any recursive walk over the parsed body (about 10,000 frames).
  { label: "arrays 50,000 deep", raw: deepArray(50_000) },
  {
    label: "objects 20,000 deep around a constructor key",
    raw: deepObject(20_000).replace("1", '{"constructor":{"prototype":{}}}'),
  },
  { label: "unpaired surrogate key", raw: '{"\\ud800":1}' },
  { label: "NUL key", raw: '{"\\u0000":1}' },
];

/** Keys added to the query string or to the body beside the valid ones. */
export const EXTRA_KEYS = [...PROTOTYPE_NAMES, "%00", "a[b]"];
