/**
 * A Server-Sent Events parser, as the WHATWG HTML standard's "event stream interpretation"
 * (§9.2.6) reads a `text/event-stream` body: lines end with CRLF, LF or CR, even when a chunk
 * splits the CR from its LF; `data:` lines join with "\n"; `:` starts a comment (the API's
 * heartbeat); `id:` sets the last event id, which the event keeps; `retry:` with digits only sets
 * the reconnection delay; a blank line dispatches the event, none without data.
 */

/** One event of the stream. */
export interface ServerSentEvent {
  /** `event:`, or "message" when the event named none. */
  event: string;
  /** The `data:` lines, joined with "\n". */
  data: string;
  /** The last event id when it was dispatched (the latest `id:` so far, this event's or an earlier one's). */
  id: string;
}

export class ServerSentEventParser {
  /** The last event id at the latest blank line: where a reconnection resumes (`Last-Event-ID`). */
  lastEventId = "";
  /** Milliseconds of the latest valid `retry:`, or undefined when none came. */
  retry: number | undefined;
  #idBuffer = "";
  #eventType = "";
  #data = "";
  #partialLine = "";
  #afterCR = false;
  #started = false;

  /** The events that `chunk` (any slice of the body, decoded) completes. */
  feed(chunk: string): ServerSentEvent[] {
    if (chunk === "") return [];
    let text = chunk;
    if (!this.#started) {
      this.#started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    // A CR that ended the previous chunk has ended its line already; an LF right after it is the
    // rest of that CRLF, not a blank line.
    if (this.#afterCR && text.startsWith("\n")) text = text.slice(1);
    this.#afterCR = text.endsWith("\r");
    const events: ServerSentEvent[] = [];
    const lines = `${this.#partialLine}${text}`.split(/\r\n|\r|\n/);
    this.#partialLine = lines.pop() as string;
    for (const line of lines) {
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#eventType = value;
        break;
      case "data":
        this.#data += `${value}\n`;
        break;
      case "id":
        if (!value.includes("\0")) this.#idBuffer = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    this.lastEventId = this.#idBuffer;
    const data = this.#data;
    const event = this.#eventType || "message";
    this.#data = "";
    this.#eventType = "";
    if (data === "") return undefined;
    return { event, data: data.slice(0, -1), id: this.lastEventId };
  }
}
