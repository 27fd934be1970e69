/**
 * Everything a command prints. stdout carries only data: a table for a person at a terminal,
 * tab-separated lines for a pipe, or with `--json` exactly what the API answered (a list as one
 * array, written as the pages arrive). Messages, warnings, errors and the progress bar go to stderr.
 * Colours only where a terminal shows them, and never with NO_COLOR (no-color.org).
 */
import Table from "cli-table3";
import picocolors from "picocolors";

export interface Column<T> {
  header: string;
  value: (item: T) => Value;
}

type Stream = NodeJS.WriteStream;
type Value = string | number | boolean | null | undefined;
/** A row of a record: its label and its value. */
export type Field = [string, Value];

const BORDERLESS = {
  chars: Object.fromEntries(
    [
      "top",
      "top-mid",
      "top-left",
      "top-right",
      "bottom",
      "bottom-mid",
      "bottom-left",
      "bottom-right",
      "left",
      "left-mid",
      "mid",
      "mid-mid",
      "right",
      "right-mid",
    ].map((name) => [name, ""]),
  ),
  style: { "padding-left": 0, "padding-right": 0, head: [], border: [] },
};

const cell = (value: Value) => (value === null || value === undefined || value === "" ? "-" : String(value));

/** A pipe gets no tabs or line breaks inside a field, so `cut -f` and `while read` keep working. */
const field = (value: Value) =>
  value === null || value === undefined ? "" : String(value).replace(/[\t\r\n]+/g, " ");

export class Output {
  readonly json: boolean;
  /** stdout is a terminal (or VOLTASIS_FORCE_TTY says to print as if it were). */
  readonly terminal: boolean;
  readonly color: ReturnType<typeof picocolors.createColors>;
  readonly errColor: ReturnType<typeof picocolors.createColors>;
  readonly #stdout: Stream;
  readonly #stderr: Stream;

  constructor(options: { json: boolean; stdout?: Stream; stderr?: Stream; env?: NodeJS.ProcessEnv }) {
    const env = options.env ?? process.env;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.json = options.json;
    this.terminal = Boolean(this.#stdout.isTTY) || Boolean(env.VOLTASIS_FORCE_TTY);
    const noColor = Boolean(env.NO_COLOR);
    this.color = picocolors.createColors(!noColor && Boolean(this.#stdout.isTTY));
    this.errColor = picocolors.createColors(!noColor && Boolean(this.#stderr.isTTY));
  }

  /** The progress bar's place: a terminal on stderr, and not while a script reads --json. */
  get showsProgress(): boolean {
    return Boolean(this.#stderr.isTTY) && !this.json;
  }

  get stderr(): Stream {
    return this.#stderr;
  }

  /** What the API answered, as JSON. */
  data(value: unknown): void {
    this.#write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One object: as JSON, or as `field  value` lines. */
  record(data: unknown, fields: Field[]): void {
    if (this.json) this.data(data);
    else if (!this.terminal)
      this.#write(fields.map(([name, value]) => `${name}\t${field(value)}\n`).join(""));
    else
      this.#table(
        undefined,
        fields.map(([name, value]) => [this.color.bold(name), cell(value)]),
      );
  }

  /** An object holding a secret that the API shows only in this answer: printed with that warning. */
  secretRecord(data: unknown, fields: Field[], what: string) {
    this.record(data, fields);
    this.warn(`This is the only time the ${what} is shown: store it now.`);
  }

  /** A list: an array (streamed as it arrives) with --json, a table, or one line per item. */
  async list<T>(items: AsyncIterable<T> | Iterable<T>, columns: Column<T>[]): Promise<void> {
    if (this.json) {
      let first = true;
      for await (const item of items) {
        const json = JSON.stringify(item, null, 2).replace(/\n/g, "\n  ");
        this.#write(`${first ? "[\n" : ",\n"}  ${json}`);
        first = false;
      }
      return this.#write(first ? "[]\n" : "\n]\n");
    }
    if (!this.terminal) {
      for await (const item of items) this.#write(`${columns.map((c) => field(c.value(item))).join("\t")}\n`);
      return;
    }
    const rows: string[][] = [];
    for await (const item of items) rows.push(columns.map((c) => cell(c.value(item))));
    if (rows.length === 0) return this.info("Nothing to show.");
    this.#table(
      columns.map((c) => this.color.bold(c.header)),
      rows,
    );
  }

  /** Data that is text already: an export's file. */
  raw(bytes: Uint8Array | string): void {
    this.#stdout.write(bytes);
  }

  /** A message for the person (stderr): what was done, what to do next. */
  info(message: string): void {
    this.#stderr.write(`${message}\n`);
  }

  success(message: string): void {
    this.info(`${this.errColor.green("✓")} ${message}`);
  }

  warn(message: string): void {
    this.info(`${this.errColor.yellow("Warning:")} ${message}`);
  }

  error(lines: string[]): void {
    const [first, ...rest] = lines;
    if (first === undefined) return;
    this.info(first.replace(/^(Error:|error:)/, (label) => this.errColor.red(label)));
    for (const line of rest) this.info(this.errColor.dim(line));
  }

  #table(head: string[] | undefined, rows: string[][]): void {
    const table = new Table({
      ...BORDERLESS,
      chars: { ...BORDERLESS.chars, middle: "  " },
      head: head ?? [],
    });
    table.push(...rows);
    const text = table
      .toString()
      .split("\n")
      .map((line) => line.trimEnd())
      .join("\n");
    this.#write(`${text}\n`);
  }

  #write(text: string): void {
    this.#stdout.write(text);
  }
}
