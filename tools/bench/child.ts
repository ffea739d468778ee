/**
 * A Contender that lives in a child process speaking the bench's line protocol, so that each peer gets a
 * clean process (one tfjs backend, its own memory peak, no shared GPU device) while the driver sees the
 * plain Contender interface. Protocol, one line each way:
 *   child, after setup:  {"ready":true,"name":..,"adapter":..,"notes":..}   or   {"skipped":true,"notes":..}
 *   parent "train <epoch>"  ->  {"seconds":..,"loss":..,"trainAccuracy":..}
 *   parent "test"           ->  {"testAccuracy":..}
 *   parent "quit"           ->  {"rssMB":..}, then the child exits
 *   any failure             ->  {"error":"..."}
 * Children time their epochs themselves, so the pipe's latency is not in the numbers.
 * The child side: servePeer below (run-peer.ts --serve, run-net-peer.ts) and the PyTorch scripts' --serve.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type BenchData, type Contender, type EpochResult, peakRssMB } from './contender.js';

type Reply = Record<string, unknown>;

export interface ChildSpec {
  command: string;
  /** Arguments before the data/hyper-parameter flags that setup appends. */
  args: string[];
  /** Skip instead of failing when the child cannot start or reports skipped. */
  optional?: boolean;
}

export class ChildContender implements Contender {
  adapter?: string;
  notes?: string;
  skipped?: boolean;
  /** Peak RSS of the child in MiB, known after dispose. */
  rssMB?: number;

  private child?: ChildProcessWithoutNullStreams;
  private waiting: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private exitError?: Error;

  constructor(
    public name: string,
    private readonly spec: ChildSpec,
  ) {}

  async setup(data: BenchData): Promise<void> {
    // The child loads the IDX files itself (honouring $FASHION_MNIST_DIR like src/data/node.ts): cheaper than
    // passing 50 MB through a pipe.
    const args = [
      ...this.spec.args,
      '--serve',
      `--seed=${data.seed}`,
      `--batch-size=${data.batchSize}`,
      `--lr=${data.lr}`,
      `--train-count=${data.trainCount}`,
      `--test-count=${data.testCount}`,
    ];
    const child = spawn(this.spec.command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    createInterface({ input: child.stderr }).on('line', (line) => {
      // Dawn's two notices about dynamic buffer limits come with every device: harmless, so dropped.
      if (!/artificially reduced/.test(line)) process.stderr.write(`[${this.name}] ${line}\n`);
    });
    child.stdin.on('error', () => {}); // EPIPE after a crash; the 'exit' handler reports the crash itself
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    const failAll = (err: Error) => {
      this.exitError ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    child.on('error', (err) => failAll(err));
    child.on('exit', (code, signal) => failAll(new Error(`${this.name}: child exited (${signal ?? code})`)));

    let ready: Reply;
    try {
      ready = await this.next();
    } catch (err) {
      if (!this.spec.optional) throw err;
      this.skipped = true;
      this.notes = `skipped: ${(err as Error).message}`;
      return;
    }
    if (typeof ready.name === 'string') this.name = ready.name;
    this.adapter = typeof ready.adapter === 'string' ? ready.adapter : undefined;
    this.notes = typeof ready.notes === 'string' ? ready.notes : undefined;
    if (ready.skipped) {
      this.skipped = true;
      this.notes = `skipped: ${this.notes ?? 'unavailable'}`;
    }
  }

  async trainEpoch(epoch: number): Promise<EpochResult> {
    const r = await this.ask(`train ${epoch}`);
    return { seconds: Number(r.seconds), loss: Number(r.loss), trainAccuracy: Number(r.trainAccuracy) };
  }

  async testAccuracy(): Promise<number> {
    return Number((await this.ask('test')).testAccuracy);
  }

  async dispose(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || this.exitError) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      this.rssMB = Number((await this.ask('quit')).rssMB);
    } catch {
      /* already gone */
    }
    child.stdin.end();
    await exited;
  }

  private onLine(line: string): void {
    // tfjs, Dawn and Python may print their own lines on stdout; only JSON objects are replies.
    if (!line.startsWith('{')) {
      process.stderr.write(`[${this.name}] ${line}\n`);
      return;
    }
    const reply = JSON.parse(line) as Reply;
    const w = this.waiting.shift();
    if (!w) return;
    if (typeof reply.error === 'string') w.reject(new Error(`${this.name}: ${reply.error}`));
    else w.resolve(reply);
  }

  private next(): Promise<Reply> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private ask(command: string): Promise<Reply> {
    if (this.skipped) return Promise.reject(new Error(`${this.name} was skipped: ${this.notes}`));
    const reply = this.next();
    this.child!.stdin.write(`${command}\n`);
    return reply;
  }
}

const emit = (obj: object): void => {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
};

/**
 * The child side of the protocol for a contender in this process: sets it up, then answers the parent's commands
 * on stdin until "quit" or EOF. False where setup failed (reported to the parent as an error line).
 */
export async function servePeer(contender: Contender, data: BenchData): Promise<boolean> {
  try {
    await contender.setup(data);
  } catch (err) {
    emit({ error: `setup failed: ${(err as Error).message}` });
    return false;
  }
  emit(
    contender.skipped
      ? { skipped: true, name: contender.name, notes: contender.notes ?? null }
      : { ready: true, name: contender.name, adapter: contender.adapter ?? null, notes: contender.notes ?? null },
  );
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(/\s+/);
    try {
      if (cmd === 'train') emit(await contender.trainEpoch(Number(arg)));
      else if (cmd === 'test') emit({ testAccuracy: await contender.testAccuracy() });
      else if (cmd === 'quit') break;
      else emit({ error: `unknown command ${JSON.stringify(line)}` });
    } catch (err) {
      emit({ error: (err as Error).message });
    }
  }
  await contender.dispose();
  emit({ rssMB: peakRssMB() });
  return true;
}
