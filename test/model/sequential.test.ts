/**
 * Sequential's bookkeeping, with stand-in layers (no GPU): forward in order, each layer fed the previous one's output;
 * backward in reverse, each fed the next one's input gradient; parameters and bytes of all; and a clear error when a
 * layer before the last gives no input gradient.
 */
import { describe, expect, it } from 'vitest';
import type { ComputePass } from '../../src/gpu/kernel.js';
import { type Layer, type Parameter, Sequential } from '../../src/model/layers.js';

const buffer = (label: string) => ({ label }) as unknown as GPUBuffer;
const PASS = {} as ComputePass;
const STEP = {} as GPUBindGroup;

function stub(name: string, log: string[], givesInputGradient = true): Layer {
  const out = buffer(`${name}.out`);
  const dIn = buffer(`${name}.dIn`);
  return {
    forward: (_, x) => (log.push(`${name}.forward(${x.label})`), out),
    backward: (_, d) => {
      log.push(`${name}.backward(${d.label})`);
      return givesInputGradient ? dIn : undefined;
    },
    parameters: () => [{ name: `${name}.w` } as Parameter],
    bytes: 100,
    destroy: () => void log.push(`${name}.destroy`),
  };
}

describe('Sequential', () => {
  it('runs forward in order and backward in reverse, passing buffers along', () => {
    const log: string[] = [];
    const net = new Sequential(stub('a', log, false), stub('b', log), stub('c', log));
    expect(net.forward(PASS, buffer('x'), STEP).label).toBe('c.out');
    expect(net.backward(PASS, buffer('dy'), STEP)).toBeUndefined();
    net.destroy();
    expect(log).toEqual(['a.forward(x)', 'b.forward(a.out)', 'c.forward(b.out)', 'c.backward(dy)', 'b.backward(c.dIn)', 'a.backward(b.dIn)', 'a.destroy', 'b.destroy', 'c.destroy']);
    expect(net.parameters().map((p) => p.name)).toEqual(['a.w', 'b.w', 'c.w']);
    expect(net.bytes).toBe(300);
  });

  it('refuses to backpropagate through a layer that gives no input gradient', () => {
    const log: string[] = [];
    const net = new Sequential(stub('a', log), stub('b', log, false));
    expect(() => net.backward(PASS, buffer('dy'), STEP)).toThrow('Sequential.backward: layer 2 gives no gradient for layer 1 to use (layers counted from 1)');
  });

  it('needs a layer', () => {
    expect(() => new Sequential()).toThrow(RangeError);
  });
});
