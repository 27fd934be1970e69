import type { Model } from "./model.js";

/** The generated files of the python SDK (sdks/python/): path from the repository root → text. */
export function render(_model: Model): Record<string, string> {
  return {};
}
