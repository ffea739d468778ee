/**
 * A one-line progress bar on stderr, only when stderr is a terminal: piped or redirected output never
 * sees carriage returns or partial lines.
 */
export class ProgressBar {
  private last = 0;
  private active = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = Boolean(stream.isTTY),
  ) {}

  update(label: string, done: number, total: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < total && now - this.last < 50) return;
    this.last = now;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - label.length - 20));
    const filled = Math.round((done / total) * width);
    this.stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}\x1b[K`);
    this.active = true;
  }

  /** Erases the bar so the next line starts clean. */
  clear(): void {
    if (!this.active) return;
    this.stream.write('\r\x1b[K');
    this.active = false;
  }
}
