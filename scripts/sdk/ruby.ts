import type { Model } from "./model.js";

/** The generated files of the ruby SDK (sdks/ruby/): path from the repository root → text. */
export function render(_model: Model): Record<string, string> {
  return {};
}
