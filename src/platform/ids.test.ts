import { describe, expect, it } from "vitest";
import { idPattern, isId, newId } from "./ids.js";

describe("ids", () => {
  it("are prefixed, well-formed and unique", () => {
    const ids = Array.from({ length: 1000 }, () => newId("project"));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(new RegExp(idPattern("project")));
    expect(isId("project", ids[0] as string)).toBe(true);
    expect(isId("client", ids[0] as string)).toBe(false);
  });

  it("sort by creation time, also within one millisecond", () => {
    const sameMs = Array.from({ length: 100 }, () => newId("event", 1_700_000_000_000));
    expect([...sameMs].sort()).toEqual(sameMs);
    expect(newId("event", 1_700_000_000_001) > (sameMs.at(-1) as string)).toBe(true);
  });
});
