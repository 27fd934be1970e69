/**
 * A cell's value is wrong in itself ("31/02/2024" is no date). Thrown by the value parsers,
 * which do not know the column; the row reader adds it and turns this into a RowProblem.
 */
export class BadValue extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** What makes one data row unusable, naming the column at fault as the file's header writes it. */
export class RowProblem extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A cell quoted in a message: long hostile cells are cut, so one row cannot flood the error list. */
export function clip(text: string, length = 40): string {
  const chars = Array.from(text);
  return chars.length <= length ? text : `${chars.slice(0, length).join("")}…`;
}
