// Event-stream clients in a worker thread, so that reading 1,000 streams does not share the event
// loop of the servers being measured. Plain JavaScript: a worker does not inherit tsx's loader.
//
// Messages in:  {type: "open", url, headers, count}   open `count` streams, answer "opened"
//               {type: "expect", marker}              answer "arrived" once every stream has
//                                                     received an event whose data contains marker
//               {type: "close"}                       hang up every stream, answer "closed"
// Times are epoch milliseconds with sub-millisecond precision (performance.timeOrigin + now()),
// comparable with the main thread's.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { createParser } from "eventsource-parser";

const now = () => performance.timeOrigin + performance.now();
const streams = [];
let awaited = null;

function openOne(url, headers) {
  return new Promise((resolve, reject) => {
    const stream = { request: null, arrivedAt: null };
    const parser = createParser({
      onEvent(message) {
        if (awaited && stream.arrivedAt === null && message.data.includes(awaited.marker)) {
          stream.arrivedAt = now();
          awaited.pending -= 1;
          if (awaited.pending === 0) {
            parentPort.postMessage({ type: "arrived", times: streams.map((s) => s.arrivedAt) });
            awaited = null;
          }
        }
      },
      // The stream is ready (subscribed) once its first line, `retry:`, has come.
      onRetry: () => resolve(stream),
    });
    stream.request = http.get(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (chunk) => parser.feed(chunk));
    });
    stream.request.on("error", (error) => {
      if (stream.arrivedAt === null && awaited) reject(error);
    });
    streams.push(stream);
  });
}

parentPort.on("message", async (message) => {
  try {
    if (message.type === "open") {
      // In batches, as clients arrive in practice, not as one SYN flood.
      for (let opened = 0; opened < message.count; opened += 100) {
        const batch = Math.min(100, message.count - opened);
        await Promise.all(Array.from({ length: batch }, () => openOne(message.url, message.headers)));
      }
      parentPort.postMessage({ type: "opened", count: streams.length });
    } else if (message.type === "expect") {
      for (const stream of streams) stream.arrivedAt = null;
      awaited = { marker: message.marker, pending: streams.length };
      parentPort.postMessage({ type: "expecting" });
    } else if (message.type === "close") {
      for (const stream of streams.splice(0)) stream.request.destroy();
      parentPort.postMessage({ type: "closed" });
    }
  } catch (error) {
    parentPort.postMessage({ type: "error", message: error.message });
  }
});
