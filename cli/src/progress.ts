/**
 * A job's progress bar, on stderr and only at a terminal: a script that pipes the output or reads
 * --json sees no bar and no control characters.
 */
import cliProgress from "cli-progress";
import type { Output } from "./output.js";

export interface Progress {
  update(percent: number, status: string): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

export function progressBar(output: Output, label: string): Progress {
  if (!output.showsProgress) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: output.stderr,
      format: `${label} {bar} {percentage}% | {status}`,
      // Left visible: a bar interrupted with Ctrl-C must not leave the terminal without a cursor.
      hideCursor: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { status: "queued" });
  return {
    update: (percent, status) => bar.update(percent, { status }),
    stop: () => bar.stop(),
  };
}
