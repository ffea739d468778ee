/**
 * Where a command's words go. With --json, stdout carries exactly one JSON object at the end and every
 * human line goes to stderr; without it, human lines go to stdout. Warnings and the progress bar always
 * use stderr.
 */
export class Output {
  constructor(readonly json: boolean) {}

  line(text: string): void {
    (this.json ? process.stderr : process.stdout).write(`${text}\n`);
  }

  warn(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value)}\n`);
  }
}
