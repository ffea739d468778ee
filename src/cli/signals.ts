/**
 * What stops a command that must not lose work: SIGINT (Ctrl-C), SIGTERM (`kill`, a job scheduler, `docker
 * stop`), SIGHUP (the terminal or SSH session closed) and a closed stdout (`train | head -5`: the reader has
 * gone). All behave alike: before the work starts they end the process at once; while it runs, the first one
 * asks it to stop at the next safe point (`requested`), and a second one ends the process at once. Either way
 * the exit code is 128 + the signal's number (130, 143, 129; 141 for a closed stdout, as SIGPIPE would give),
 * and process.exit runs the 'exit' hooks (the output directory's lock is released there).
 */
import { onStdoutClosed } from './output.js';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** A signal, or stdout's reader going away (reported as SIGPIPE, the signal other tools die of then). */
export type StopSignal = (typeof STOP_SIGNALS)[number] | 'SIGPIPE';

const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGPIPE: 13, SIGTERM: 15 };

/** Exit code after a signal, as shells report it: 128 + its number. */
export const signalExitCode = (signal: StopSignal): number => 128 + SIGNAL_NUMBERS[signal];

export class StopSignals {
  /** The first signal received while the work ran, if any. */
  requested: StopSignal | null = null;
  private working = false;
  private readonly handler = (signal: StopSignal): void => {
    if (!this.working || this.requested) process.exit(signalExitCode(signal));
    this.requested = signal;
    this.onRequest(signal);
  };
  private readonly stopListening: () => void;

  /** `onRequest` hears the first signal during the work (to say what happens next). */
  constructor(private readonly onRequest: (signal: StopSignal) => void) {
    for (const signal of STOP_SIGNALS) process.on(signal, this.handler);
    this.stopListening = onStdoutClosed(() => this.handler('SIGPIPE'));
  }

  /** From now on the first signal asks the work to stop at its next safe point instead of ending the process. */
  startWork(): void {
    this.working = true;
  }

  /** The exit code the process should end with: that of the signal received, or `otherwise`. */
  exitCode(otherwise: number): number {
    return this.requested ? signalExitCode(this.requested) : otherwise;
  }

  dispose(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.handler);
    this.stopListening();
  }
}
