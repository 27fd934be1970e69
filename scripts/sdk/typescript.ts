import type { Model } from "./model.js";

/** The generated files of the typescript SDK (sdks/typescript/): path from the repository root → text. */
export function render(_model: Model): Record<string, string> {
  return {};
}
