/**
 * Where a command's words go. With --json, stdout carries exactly one JSON object at the end and every
 * human line goes to stderr; without it, human lines go to stdout. Warnings and the progress bar always
 * use stderr.
 *
 * A closed stdout (`train ... | head -5`) is not an error: `watchStdout` turns its EPIPE into a quiet
 * `stdoutClosed`, after which nothing more is written there, and tells whoever listens (training stops at
 * the end of its epoch, keeping the checkpoint: src/cli/signals.ts). A closed stderr (a hung-up terminal)
 * is ignored the same way. Without these listeners Node throws "Unhandled 'error' event ... EPIPE".
 */
const closeListeners = new Set<() => void>();
let stdoutClosed = false;
let watching = false;

/** Whether stdout's reader has gone (EPIPE); nothing is written there after that. */
export const isStdoutClosed = (): boolean => stdoutClosed;

/** Calls `listener` once stdout is found closed; returns the call that stops listening. */
export function onStdoutClosed(listener: () => void): () => void {
  closeListeners.add(listener);
  return () => closeListeners.delete(listener);
}

/** Installs the EPIPE listeners on stdout and stderr (once, from the CLI's entry point). */
export function watchStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
    if (stdoutClosed) return;
    stdoutClosed = true;
    for (const listener of [...closeListeners]) listener();
  });
  process.stderr.on('error', () => {
    // nowhere left to say anything; the exit code still tells
  });
}

/**
 * `text` on one line: control characters (a newline in a path, a carriage return, an escape) written as JSON
 * writes them (`\n`, `\u001b`), so no file name can split an error line or forge another line.
 */
export const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));

export class Output {
  constructor(readonly json: boolean) {}

  line(text: string): void {
    if (this.json) process.stderr.write(`${text}\n`);
    else if (!stdoutClosed) process.stdout.write(`${text}\n`);
  }

  /** One line on stderr (a note, a stop line), kept to one line whatever paths it names. */
  warn(text: string): void {
    process.stderr.write(`${oneLine(text)}\n`);
  }

  result(value: unknown): void {
    if (this.json && !stdoutClosed) process.stdout.write(`${JSON.stringify(value)}\n`);
  }
}
