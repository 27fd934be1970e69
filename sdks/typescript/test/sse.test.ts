import { describe, expect, it } from "vitest";
import { ServerSentEventParser } from "../src/index.js";

/** Every event the parser dispatches when `body` arrives cut into `chunks`. */
function parse(...chunks: string[]) {
  const parser = new ServerSentEventParser();
  const events = chunks.flatMap((chunk) => parser.feed(chunk));
  return { events, parser };
}

const FRAME =
  'retry: 3000\n\nid: evt_1\nevent: tag.created\ndata: {"id":"evt_1"}\n\n: heartbeat\n\nid: evt_2\nevent: tag.updated\ndata: {"id":"evt_2"}\n\n';

describe("ServerSentEventParser", () => {
  it("reads the API's frames: retry, then each event with its id and name; heartbeats dispatch nothing", () => {
    const { events, parser } = parse(FRAME);
    expect(events).toEqual([
      { id: "evt_1", event: "tag.created", data: '{"id":"evt_1"}' },
      { id: "evt_2", event: "tag.updated", data: '{"id":"evt_2"}' },
    ]);
    expect(parser.retry).toBe(3000);
    expect(parser.lastEventId).toBe("evt_2");
  });

  it("gives the same events however the body is cut, one character at a time included", () => {
    const whole = parse(FRAME).events;
    expect(parse(...FRAME.split("")).events).toEqual(whole);
    for (let cut = 1; cut < FRAME.length; cut += 7) {
      expect(parse(FRAME.slice(0, cut), FRAME.slice(cut)).events).toEqual(whole);
    }
  });

  it("ends lines at CRLF, LF or CR, and a CRLF cut between its CR and LF is one line end", () => {
    const crlf = FRAME.replaceAll("\n", "\r\n");
    const cr = FRAME.replaceAll("\n", "\r");
    const whole = parse(FRAME).events;
    expect(parse(crlf).events).toEqual(whole);
    expect(parse(cr).events).toEqual(whole);
    const split = crlf.indexOf("\r\n") + 1;
    expect(parse(crlf.slice(0, split), crlf.slice(split)).events).toEqual(whole);
    expect(parse(...crlf.split("")).events).toEqual(whole);
  });

  it("joins multi-line data with newlines and strips one space after the colon only", () => {
    const { events } = parse("data: first\ndata:second\ndata:  third\ndata\n\n");
    expect(events).toEqual([{ id: "", event: "message", data: "first\nsecond\n third\n" }]);
  });

  it("keeps the last id for later events, dispatches nothing without data, and drops a half event at the end", () => {
    const { events, parser } = parse(
      "id: evt_1\n\ndata: a\n\nid: evt_2\ndata: b\n\nid: evt_3\ndata: cut off",
    );
    expect(events).toEqual([
      { id: "evt_1", event: "message", data: "a" },
      { id: "evt_2", event: "message", data: "b" },
    ]);
    expect(parser.lastEventId).toBe("evt_2");
  });

  it("ignores unknown fields, a retry that is not digits, an id with NUL, and a leading BOM", () => {
    const { events, parser } = parse("\uFEFFretry: 10\n", "retry: soon\nid: a\0b\nfoo: bar\ndata: x\n\n");
    expect(events).toEqual([{ id: "", event: "message", data: "x" }]);
    expect(parser.retry).toBe(10);
  });
});
