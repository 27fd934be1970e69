import { CSV_COLUMNS } from "../export.js";
import { clockify } from "./clockify.js";
import { type HeaderSignature, headerFit, type ProductFormat } from "./columns.js";
import { fileError } from "./csv.js";
import { harvest } from "./harvest.js";
import { toggl } from "./toggl.js";
import type { ForeignSource, Source } from "./types.js";

/** A header is a product's when at least this share of its columns are that product's. */
export const MIN_FIT = 0.5;

export const FORMATS: Record<ForeignSource, ProductFormat> = { toggl, clockify, harvest };
export const SIGNATURES: Record<Source, HeaderSignature> = {
  voltasis: {
    source: "voltasis",
    label: "Voltasis",
    columns: {},
    otherColumns: CSV_COLUMNS.map((name) => ({ names: [name] })),
  },
  ...FORMATS,
};

/** The product whose export this header fits best, if one fits clearly. */
export function detectSource(header: readonly string[]): Source | undefined {
  const fits = Object.values(SIGNATURES)
    .map((signature) => ({ source: signature.source, fit: headerFit(signature, header) }))
    .sort((a, b) => b.fit - a.fit);
  const [best, second] = fits;
  return best && best.fit >= MIN_FIT && best.fit > (second?.fit ?? 0) ? best.source : undefined;
}

/** The file error for a header that fits another product than the one the caller chose. */
export function wrongProduct(chosen: Source, detected: Source) {
  return fileError(
    `This file looks like a ${SIGNATURES[detected].label} export, not a ${SIGNATURES[chosen].label} one: ` +
      `import it with source "${detected}"`,
    "wrong_product",
    { detected },
  );
}
