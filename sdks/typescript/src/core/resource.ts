import type { VoltasisCore } from "./client-core.js";

/** What every generated resource class extends: it holds the client its methods call. */
export class APIResource {
  protected readonly _client: VoltasisCore;

  constructor(client: VoltasisCore) {
    this._client = client;
  }
}
