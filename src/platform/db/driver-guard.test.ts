import { describe, expect, it } from "vitest";
import { isClosedSocketWrite, isConnectionLost } from "./driver-guard.js";

describe("the postgres.js closed-socket guard", () => {
  const driverError = () => {
    const error = new TypeError("Cannot read properties of null (reading 'write')");
    error.stack = `${error.message}\n    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)`;
    return error;
  };

  it("recognises the driver's deferred write on a closed connection", () => {
    expect(isClosedSocketWrite(driverError())).toBe(true);
  });

  it("lets every other error through, even the same message from elsewhere", () => {
    const elsewhere = new TypeError("Cannot read properties of null (reading 'write')");
    elsewhere.stack = `${elsewhere.message}\n    at save (file:///app/src/features/jobs/export.ts:10:3)`;
    expect(isClosedSocketWrite(elsewhere)).toBe(false);
    expect(isClosedSocketWrite(new Error("connect ECONNREFUSED 127.0.0.1:5432"))).toBe(false);
    expect(isClosedSocketWrite("Cannot read properties of null (reading 'write')")).toBe(false);
  });

  it("knows a lost connection by its code", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(isConnectionLost(reset)).toBe(true);
    expect(isConnectionLost(Object.assign(new Error("closed"), { code: "CONNECTION_CLOSED" }))).toBe(true);
    expect(isConnectionLost(new Error("read ECONNRESET"))).toBe(false);
    expect(isConnectionLost(null)).toBe(false);
  });
});
