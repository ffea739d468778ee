/**
 * The examples' few settings, from flags or the environment, so CI can run them briefly:
 *   --epochs N (EPOCHS)   epochs to train (default: the book's 5)
 *   --limit N (LIMIT)     train on the first N training samples only (default: all 60,000)
 *   --out DIR (OUT)       also save the prediction sheet as DIR/predictions.png
 *   --kernels K (KERNELS) auto | fused | separate (default: each example says)
 */
export interface ExampleOptions {
  epochs: number;
  limit?: number | undefined;
  out?: string | undefined;
  kernels?: string | undefined;
}

export function exampleOptions(argv = process.argv.slice(2), env = process.env): ExampleOptions {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!/^--(epochs|limit|out|kernels)$/.test(flag) || value === undefined) {
      throw new Error(`usage: [--epochs N] [--limit N] [--out DIR] [--kernels auto|fused|separate], not "${argv.slice(i).join(' ')}"`);
    }
    given.set(flag.slice(2), value);
  }
  const text = (name: string) => given.get(name) ?? env[name.toUpperCase()];
  const count = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^[1-9]\d*$/.test(value)) throw new Error(`--${name} must be a positive integer, not "${value}"`);
    return Number(value);
  };
  return { epochs: count('epochs') ?? 5, limit: count('limit'), out: text('out'), kernels: text('kernels') };
}
