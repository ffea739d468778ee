/**
 * The page's entry point: the browser's pieces (files, canvases, forms) around the shared training code in
 * src/, which runs in the GPU engine's Worker (gpu_client.ts -> worker.ts -> engine.ts): the main thread
 * draws, the worker trains. Panels talk through this module only.
 */
import './style.css';
import type { FashionMnist } from '../data/dataset.js';
import type { Checkpoint } from '../model/checkpoint.js';
import { TrainingChart } from './chart.js';
import { ClassifyPanel } from './classify.js';
import { DataPanel } from './data_panel.js';
import { $, errorText, formatCount, setMessage } from './dom.js';
import { EpochTable } from './epoch_table.js';
import { GpuClient } from './gpu_client.js';
import { GpuStatus } from './gpu_state.js';
import { describeModel } from '../model/registry.js';
import { describeCheckpoint, downloadCheckpoint, readCheckpoint } from './model_io.js';
import { ResultsPanel, showPendingModel } from './results.js';
import { TrainPanel } from './train_panel.js';

let data: FashionMnist | null = null;
let model: Checkpoint | null = null;
let busy = false;
let pendingCheckpoint: { checkpoint: Checkpoint; name: string } | null = null;

const status = new GpuStatus(() => train.validate());
const engine = new GpuClient({
  onGpu: (adapter, bindingLimit) => status.ready(adapter, engine.mode, bindingLimit),
  onNoGpu: (message) => status.none(message),
  onLost: (reason, message) => status.lost(reason, message, train.isRunning),
  onMode: (mode) => status.mode(mode),
});
const classify = new ClassifyPanel(engine);
const results = new ResultsPanel(engine);
const chart = new TrainingChart($('#chart'));
const table = new EpochTable();
const resultsMessage = $('#results-message');
/** What became of a checkpoint the person picked: beside the Load button, where they are looking. */
const loadMessage = $('#load-message');
const saveButton = $<HTMLButtonElement>('#save-model');

function setModel(checkpoint: Checkpoint): void {
  model = checkpoint;
  saveButton.disabled = busy;
  void classify.setModel({ spec: checkpoint.meta.model, params: checkpoint.params });
}

const train = new TrainPanel({
  engine,
  gpuProblem: () => status.problem,
  bindingLimit: () => status.bindingLimit,
  data: () => data,
  chart,
  table,
  onEpochModel: (ck) => setModel(ck),
  onTrained: ({ checkpoint, test, settings, stopped }) => {
    setModel(checkpoint);
    if (!data) return;
    const samples = formatCount(settings.samples);
    const epochs = checkpoint.meta.epoch;
    // Evaluated on the first test.samples test images (the "Test images" setting): the figures and pictures are of those.
    const subset = test.samples < data.test.count ? `, evaluated on the first ${formatCount(test.samples)} test images` : '';
    setMessage(resultsMessage, null);
    results
      .show(test, { spec: checkpoint.meta.model, params: checkpoint.params }, {
        description: `Trained here: ${describeModel(checkpoint.meta.model)} model, ${epochs} epoch${epochs === 1 ? '' : 's'} on ${samples} samples, lr ${settings.lr}, batch ${settings.batchSize}, seed ${settings.seed}${stopped ? ' (stopped early)' : ''}${subset}.`,
      })
      .catch((err) => setMessage(resultsMessage, errorText(err)));
  },
  onBusy: (b) => {
    busy = b;
    saveButton.disabled = b || model === null;
    $<HTMLInputElement>('#load-model').disabled = b;
    $('#load-model-label').classList.toggle('disabled', b);
  },
});

new DataPanel((loaded) => {
  data = loaded;
  engine.setData(loaded);
  classify.setTestImages(loaded.test);
  train.validate();
  // A checkpoint loaded before the data was only described; now it can be evaluated.
  if (pendingCheckpoint && !busy) void evaluateCheckpoint(pendingCheckpoint.checkpoint, pendingCheckpoint.name);
});

saveButton.addEventListener('click', () => {
  if (model) downloadCheckpoint(model);
});

const loadInput = $<HTMLInputElement>('#load-model');
loadInput.addEventListener('change', () => {
  const file = loadInput.files?.[0];
  loadInput.value = '';
  if (file && !busy) void loadCheckpointFile(file);
});

/** A checkpoint from the CLI (or this page): evaluated on the test set with the same GPU evaluator `eval` uses. */
async function loadCheckpointFile(file: File): Promise<void> {
  setMessage(loadMessage, `Reading ${file.name}…`, 'info');
  try {
    const checkpoint = await readCheckpoint(file);
    setModel(checkpoint);
    const history = checkpoint.meta.history;
    chart.reset(Math.max(1, checkpoint.meta.epoch), history.map((h) => ({ epoch: h.epoch, trainLoss: h.loss, trainAcc: h.trainAccuracy, testLoss: null, testAcc: h.testAccuracy })));
    table.clear();
    for (const h of history) table.add(h, null);
    if (!data) {
      pendingCheckpoint = { checkpoint, name: file.name };
      showPendingModel(`${describeCheckpoint(checkpoint, file.name)}.`);
      setMessage(loadMessage, 'Loaded. Load the dataset to evaluate it on the test set; it can classify drawings already.', 'info');
      return;
    }
    await evaluateCheckpoint(checkpoint, file.name);
  } catch (err) {
    setMessage(loadMessage, errorText(err));
  }
}

async function evaluateCheckpoint(checkpoint: Checkpoint, name: string): Promise<void> {
  pendingCheckpoint = null;
  if (!data) return;
  try {
    setMessage(loadMessage, `Evaluating ${name} on ${formatCount(data.test.count)} test images…`, 'info');
    const evaluation = await engine.evaluate({ spec: checkpoint.meta.model, params: checkpoint.params });
    await results.show(evaluation, { spec: checkpoint.meta.model, params: checkpoint.params }, { description: `${describeCheckpoint(checkpoint, name)}.` });
    setMessage(loadMessage, null);
  } catch (err) {
    setMessage(loadMessage, errorText(err));
  }
}

// For the browser tests: where the engine runs, and a way to lose its device as a driver reset would.
(window as unknown as { webgpuSoftmax: object }).webgpuSoftmax = {
  get engineMode() {
    return engine.mode;
  },
  loseDevice: () => engine.loseDevice(),
};

// Start the engine at once: the adapter's name goes in the header, and a missing WebGPU is said before anyone trains.
engine.start();
