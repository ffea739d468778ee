/**
 * The library's chapter 7 constructors (`models.resnet18()` and so on, src/lib/models.ts): each returns the network
 * the CLI trains for its kind (the same declaration, so the same parameter count as `summary`), takes the input
 * channels, classes, size and VGG's width divisor, and is refused by fit on data of another size (fit does not
 * resize a network written in code). On the GPU: a constructor's network trains through fit, and BN-LeNet from
 * `models.bnLenet()` trains exactly as the kind 'bn-lenet' does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, FashionMNIST, fit, fitSettings, type Gpu, models, outputShape, parameterInfo, type SequentialDecl, trainableCount } from '../../src/index.js';
import { modelDefinition } from '../../src/model/registry.js';
import { isNetworkDefinition } from '../../src/nn/model.js';
import { createNodeGpu } from '../../src/node.js';
import { runCli } from '../cli/run.js';
import { tinyFiles } from '../data/helpers.js';

/** Each constructor, the CLI kind it declares and the book's size. */
const CONSTRUCTORS: Array<[keyof typeof models, string, number]> = [
  ['bnLenet', 'bn-lenet', 28],
  ['alexnet', 'alexnet', 224],
  ['vgg11', 'vgg11', 224],
  ['nin', 'nin', 224],
  ['googlenet', 'googlenet', 96],
  ['resnet18', 'resnet18', 96],
  ['densenet', 'densenet', 96],
];

/** The network the CLI trains for `kind` with its default options, on Fashion-MNIST. */
function cliNetwork(kind: string): { net: SequentialDecl; input: readonly number[] } {
  const definition = modelDefinition(kind);
  if (!isNetworkDefinition(definition)) throw new Error(`${kind} is not declared as layers`);
  return definition.network(definition.spec({ channels: 1, height: 28, width: 28 }, 10, {}));
}

describe('models.* constructors', () => {
  for (const [name, kind, size] of CONSTRUCTORS) {
    it(`models.${name}() is the network \`train --model ${kind}\` trains, with summary's parameter count`, async () => {
      const net = models[name]();
      const cli = cliNetwork(kind);
      expect(cli.input).toEqual([1, size, size]);
      expect(net).toEqual(cli.net);
      const r = await runCli(['summary', '--model', kind, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(trainableCount(net, [1, size, size])).toBe((JSON.parse(r.stdout) as { parameters: number }).parameters);
      expect(outputShape(net, [1, size, size])).toEqual([10]);
    });
  }

  it('takes the input channels, classes, size and (VGG) width divisor', () => {
    const first = (net: SequentialDecl, input: number[]) => parameterInfo(net, input)[0][1].shape;
    expect(first(models.alexnet({ inChannels: 3 }), [3, 224, 224])).toEqual([96, 3, 11, 11]);
    expect(outputShape(models.resnet18({ classes: 5 }), [1, 96, 96])).toEqual([5]);
    // AlexNet's first Linear reads what its features give at that size (the book's 6400 at 224 px).
    const linearIn = (net: SequentialDecl) => (net.layers.find((l) => l.type === 'Linear') as { inFeatures: number }).inFeatures;
    expect(linearIn(models.alexnet())).toBe(6400);
    expect(linearIn(models.alexnet({ size: 96 }))).toBe(256);
    expect(trainableCount(models.vgg11({ widthDivisor: 1 }), [1, 224, 224])).toBe(128_806_154);
    expect(trainableCount(models.vgg11(), [1, 224, 224])).toBeLessThan(128_806_154);
  });

  it('refuses a size too small for its windows, an option it does not take and a bad value, naming the constructor', () => {
    expect(() => models.alexnet({ size: 32 })).toThrow(ArgumentError);
    expect(() => models.alexnet({ size: 32 })).toThrow(/^models\.alexnet options\.size 32 is too small for model alexnet: its windows need images of at least \d+x\d+$/);
    expect(() => models.nin({ widthDivisor: 2 } as never)).toThrow('models.nin options has no field widthDivisor (it takes inChannels, classes, size)');
    expect(() => models.vgg11({ widthDivisor: 0 })).toThrow('models.vgg11 options.widthDivisor must be an integer in 1..64, not 0');
    expect(() => models.densenet({ size: 96.5 })).toThrow(/^models\.densenet options\.size must be an integer in 1\.\.448/);
  });
});

describe('fit with a constructor network', () => {
  const data28 = () => FashionMNIST.decode(tinyFiles(64, 16, 5));

  it('refuses data of another size than the network was declared for, in one line saying what to do', async () => {
    const data = await data28();
    const small = { batchSize: 16 };
    expect(() => fitSettings(data, { ...small, model: models.resnet18() })).toThrow(ArgumentError);
    expect(() => fitSettings(data, { ...small, model: models.resnet18() })).toThrow(
      "options.model is models.resnet18() declared for 96x96 images and the data's are 28x28; fit does not resize a network written in code: declare it for the data with models.resnet18({ size: 28 }), or train the kind, which resizes: model: 'resnet18', modelOptions: { resize: 96 }",
    );
    expect(() => fitSettings(data, { ...small, model: models.vgg11({ widthDivisor: 8 }) })).toThrow(/modelOptions: \{ resize: 224, widthDivisor: 8 \}$/);
    // Declared for the data's size: accepted, as a network written in code.
    expect(fitSettings(data, { ...small, model: models.resnet18({ size: 28 }) }).spec.kind).toBe('sequential');
    // The kind the message offers resizes on the fly.
    expect(fitSettings(data, { ...small, model: 'resnet18', modelOptions: { resize: 96 } }).spec.options).toEqual({ resize: 96 });
  });

  describe('on the GPU', () => {
    let gpu: Gpu;
    beforeAll(async () => {
      gpu = await createNodeGpu();
    });
    afterAll(() => gpu?.device.destroy());

    it("refuses, at this adapter's storage binding (lavapipe's 128 MiB), a model a parameter of which passes it", async () => {
      const data = await data28();
      const unfit = fit(gpu, data, { model: 'vgg11', modelOptions: { widthDivisor: 1 }, epochs: 1, batchSize: 16, limit: 32 });
      await expect(unfit).rejects.toThrow(ArgumentError);
      await expect(unfit).rejects.toThrow(/^model vgg11: parameter 6\.weight is 392 MiB, past the 128 MiB a storage binding holds; no batch size fits/);
      // Without the adapter, fitSettings leaves that to fit.
      expect(fitSettings(data, { model: 'vgg11', modelOptions: { widthDivisor: 1 }, batchSize: 16 }).spec.options).toEqual({ resize: 224, widthDivisor: 1 });
    });

    it('models.resnet18({ size: 28 }) trains an epoch of a few samples', async () => {
      const data = await data28();
      const result = await fit(gpu, data, { model: models.resnet18({ size: 28 }), epochs: 1, batchSize: 16, limit: 32, lr: 0.05 });
      expect(result.checkpoint.meta.model.kind).toBe('sequential');
      expect(Number.isFinite(result.history[0].loss) && result.history[0].loss > 0).toBe(true);
      expect(result.test.accuracy).toBeGreaterThanOrEqual(0);
    }, 120_000);

    it("models.bnLenet() trains as the kind 'bn-lenet' does: the same losses and weights", async () => {
      const data = await data28();
      const options = { epochs: 2, batchSize: 16, limit: 48 };
      const coded = await fit(gpu, data, { ...options, model: models.bnLenet(), lr: 1.0 });
      const kind = await fit(gpu, data, { ...options, model: 'bn-lenet' });
      expect(kind.checkpoint.meta.config.lr).toBe(1.0); // the book's rate, given to the coded one by hand
      expect(coded.history.map((r) => r.loss)).toEqual(kind.history.map((r) => r.loss));
      expect(coded.checkpoint.params['0.weight'].data).toEqual(kind.checkpoint.params['0.weight'].data);
    }, 120_000);
  });
});
