/**
 * The web page in headless Chromium (Debian's, through playwright-core): the built static site served on
 * 127.0.0.1, WebGPU from Chrome (SwiftShader on a machine without a GPU). Checks the messages for missing
 * WebGPU and wrong files, training end to end from the file input, and that a checkpoint written by the CLI
 * evaluates to the CLI's accuracy (the kernel-checks page: kernels.test.ts). Screenshots go to test-artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { createServer } from 'vite';
import type { FileChooser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHAPE } from '../../src/data/dataset.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/model/checkpoint.js';
import { renameOptions } from '../../src/errors.js';
import { fashionMnistSpec, modelDefinition, MODELS } from '../../src/model/registry.js';
import { runCli } from '../cli/run.js';
import { launchChromium, pageErrors } from './browser.js';
import { buildSite, REPO_ROOT, serveStatic, type SiteServer } from './server.js';

const DATASET_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const DATASET_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => path.join(DATASET_DIR, f));
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const VIEWPORT = { width: 1440, height: 900 };

let site: SiteServer;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([buildSite().then(serveStatic), launchChromium()]);
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function openPage(b = browser, file = 'index.html'): Promise<{ page: Page; errors: string[] }> {
  const page = await b.newPage({ viewport: VIEWPORT });
  const errors = pageErrors(page);
  await page.goto(site.url + file);
  return { page, errors };
}

async function loadDataset(page: Page): Promise<void> {
  await page.locator('#adapter[data-state="ok"]').waitFor({ timeout: 30_000 });
  await page.setInputFiles('#data-files', DATASET_FILES);
  await page.locator('#data-message[data-tone="ok"]').waitFor({ timeout: 60_000 });
}

/** How many pixels of a canvas are within 40 (per channel) of `rgb`; counts what a chart or picture drew. */
function countPixels(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(
    selector,
    (canvas, want) => {
      const c = canvas as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - want[0]) < 40 && Math.abs(d[i + 1] - want[1]) < 40 && Math.abs(d[i + 2] - want[2]) < 40 && d[i + 3] > 0) n++;
      return n;
    },
    rgb,
  );
}

/** axe-core's serious and critical findings on the page as it is now, one line each (empty: none). */
async function seriousAxeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Tabs through the page from the top: the id (or tag) of each focused element, and whether a focus ring
 * shows on it, or on what stands for it (the label of a visually hidden file input, a radio's segment).
 */
async function tabThrough(page: Page): Promise<Array<{ id: string; ring: boolean }>> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const seen: Array<{ id: string; ring: boolean }> = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement === document.body || document.activeElement === null)) break; // past the last control
    seen.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const input = el instanceof HTMLInputElement ? el : null;
        const shown = input?.type === 'file' ? el.closest('label')! : input?.type === 'radio' ? (el.nextElementSibling as HTMLElement) : el;
        const style = getComputedStyle(shown);
        return { id: el.id || (input ? `${input.name}=${input.value}` : el.tagName.toLowerCase()), ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      }),
    );
  }
  return seen;
}

describe('web page in Chromium', () => {
  it('says what to enable when the browser gives no WebGPU adapter', async () => {
    const plain = await launchChromium({ webgpu: false });
    try {
      const { page } = await openPage(plain);
      const banner = page.locator('#banner');
      await banner.waitFor({ state: 'visible', timeout: 30_000 });
      expect(await banner.textContent()).toMatch(/no adapter.*enable-unsafe-webgpu/s);
      expect(await page.locator('#adapter').getAttribute('data-state')).toBe('none');
      // With the dataset loaded, Train stays disabled and the status points at the banner.
      await page.setInputFiles('#data-files', DATASET_FILES);
      await page.locator('#data-message[data-tone="ok"]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#train').isDisabled()).toBe(true);
      expect(await page.textContent('#train-status')).toMatch(/^No WebGPU in this browser, so no training here/);
      await page.screenshot({ path: path.join(ARTIFACTS, 'web-no-webgpu.png') });
    } finally {
      await plain.close();
    }
  });

  it('names a file that is not Fashion-MNIST and what is wrong with it', async () => {
    const { page } = await openPage();
    await page.locator('#adapter[data-state="ok"]').waitFor({ timeout: 30_000 });
    await page.setInputFiles('#data-files', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    ]);
    await expect.poll(() => page.textContent('#data-message')).toMatch(/notes\.txt: not a Fashion-MNIST file/);
    // Right names, wrong contents: a text file posing as the training images.
    await page.setInputFiles('#data-files', [
      { name: 'train-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: Buffer.from('this is not an IDX file') },
      ...DATASET_FILES.slice(1).map((file) => ({ name: path.basename(file), mimeType: 'application/gzip', buffer: readFileSync(file) })),
    ]);
    await expect.poll(() => page.textContent('#data-message'), { timeout: 30_000 }).toMatch(/^train-images-idx3-ubyte\.gz: not an IDX file/);
    expect(await page.locator('#data-slots li.bad').count()).toBe(1);
    expect(await page.locator('#train').isDisabled()).toBe(true);
    await page.close();
  });

  it('says what it did and what is in the way: a stray file ignored, a PNG that is no checkpoint, a checkpoint before the data, no "Ready." beside a bad setting', async () => {
    const { page, errors } = await openPage();
    await page.locator('#adapter[data-state="ok"]').waitFor({ timeout: 30_000 });
    // A PNG picked as a checkpoint is named as not one (not "header length 727905341920923800").
    await page.setInputFiles('#load-model', path.join(REPO_ROOT, 'docs', 'web.png'));
    await expect.poll(() => page.textContent('#load-message')).toMatch(/^web\.png: not a safetensors checkpoint \(a PNG image\)/);
    // A checkpoint before the data: described where "No model yet" was, to be evaluated once the data is there.
    const spec = modelDefinition('scratch').spec(FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, {});
    const checkpoint = encodeCheckpoint({
      params: modelDefinition('scratch').init(spec, 0),
      meta: { model: spec, epoch: 0, config: { lr: 0.1, batchSize: 256, seed: 0, epochs: 1, limit: null }, history: [], test: null },
    });
    await page.setInputFiles('#load-model', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(checkpoint) });
    await expect.poll(() => page.textContent('#load-message')).toMatch(/^Loaded\. Load the dataset to evaluate it/);
    expect(await page.textContent('#headline')).toMatch(/^model\.safetensors: scratch model, 0 epochs/);
    expect(await page.textContent('#headline')).not.toMatch(/No model yet/);
    // The four files and a stray one: the four load, the stray one is named as ignored.
    await page.setInputFiles('#data-files', [
      ...DATASET_FILES.map((file) => ({ name: path.basename(file), mimeType: 'application/gzip', buffer: readFileSync(file) })),
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    ]);
    await page.locator('#data-message[data-tone="ok"], #data-message[data-tone="error"]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#data-message')).toMatch(/^60,000 training and 10,000 test images\. Ignored notes\.txt: not a Fashion-MNIST file\./);
    expect(await page.locator('#train').isEnabled()).toBe(true);
    expect(await page.textContent('#train-status')).toBe('Ready.');
    // The pending checkpoint is evaluated now that there is a test set (the untrained model: about chance).
    await page.locator('#headline[data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#load-message')).toBe('');
    // A bad setting: Train disabled, the problem said, and no "Ready." beside it.
    await page.fill('input[name=epochs]', '0');
    expect(await page.locator('#train').isDisabled()).toBe(true);
    expect(await page.textContent('#train-message')).toMatch(/^Epochs must be a whole number from 1 to/);
    expect(await page.textContent('#train-status')).toBe('Fix the settings above to train.');
    await page.fill('input[name=epochs]', '2');
    expect(await page.textContent('#train-status')).toBe('Ready.');
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  // One epoch of 5,000 samples at the default batch of 256 is only 20 SGD steps (test accuracy 0.645, in the
  // CLI too); batch 8 gives 625 steps and about 0.77 for seeds 0-2, the same in `train --limit 5000 --batch-size 8`.
  it('trains the scratch model in a Worker for 1 epoch on 5,000 samples loaded through the file input: test accuracy > 0.70, chart and prediction sheet shown, the main thread free', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = pageErrors(page);
    // Counts the main thread's own WebGPU use (init scripts run in the page, not in its workers).
    await page.addInitScript(() => {
      const w = window as unknown as { mainGpu: { devices: number; passes: number } };
      w.mainGpu = { devices: 0, passes: 0 };
      const requestDevice = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = function (this: GPUAdapter, ...args: Parameters<typeof requestDevice>) {
        w.mainGpu.devices++;
        return requestDevice.apply(this, args);
      };
      const beginComputePass = GPUCommandEncoder.prototype.beginComputePass;
      GPUCommandEncoder.prototype.beginComputePass = function (this: GPUCommandEncoder, ...args: Parameters<typeof beginComputePass>) {
        w.mainGpu.passes++;
        return beginComputePass.apply(this, args);
      };
    });
    await page.goto(site.url);
    await loadDataset(page);
    // A static host has no dataset directory to read: that button is for the dev server only.
    expect(await page.locator('#data-local').isHidden()).toBe(true);
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=limit]', '5000');
    await page.fill('input[name=batchSize]', '8');
    await page.check('input[name=model][value=scratch]');
    // The main thread while training: every animation frame and every long task (>= 50 ms) it runs.
    await page.evaluate(() => {
      const w = window as unknown as { maxFrameGap: number; frames: number; frameTimes: number[]; longTasks: Array<[number, number]> };
      w.maxFrameGap = 0;
      w.frames = 0;
      w.frameTimes = [];
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push([e.startTime, e.duration]))).observe({ type: 'longtask' });
      let last = performance.now();
      const tick = (now: number) => {
        w.maxFrameGap = Math.max(w.maxFrameGap, now - last);
        w.frames++;
        w.frameTimes.push(now);
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.click('#train');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    const frames = await page.evaluate(() => {
      const w = window as unknown as { maxFrameGap: number; frames: number; frameTimes: number[]; longTasks: Array<[number, number]> };
      // The epoch: from its first progress message to its end (marks set by the train panel).
      const start = performance.getEntriesByName('training:epoch-start')[0].startTime;
      const end = performance.getEntriesByName('training:epoch-end')[0].startTime;
      const inEpoch = w.frameTimes.filter((t) => t >= start && t <= end);
      const gaps = inEpoch.slice(1).map((t, i) => t - inEpoch[i]);
      const tasks = w.longTasks.filter(([s, d]) => s + d >= start && s <= end).map(([, d]) => d);
      return {
        maxFrameGap: w.maxFrameGap, frames: w.frames, epochMs: end - start, epochFrames: inEpoch.length,
        epochMaxFrameGap: Math.max(0, ...gaps), epochLongTasks: tasks.length, epochLongestTask: Math.max(0, ...tasks),
        // Every long task of the run, as [ms after the epoch's start, duration]: where the rest of the time goes.
        allLongTasks: w.longTasks.map(([s, d]) => [Math.round(s - start), Math.round(d)]),
        mainGpu: (window as unknown as { mainGpu: { devices: number; passes: number } }).mainGpu,
        engineMode: (window as unknown as { webgpuSoftmax: { engineMode: string } }).webgpuSoftmax.engineMode,
      };
    });
    // The training ran in the Worker: it made the device and trained the epoch; the main thread made no device and no pass.
    expect(frames.engineMode).toBe('worker');
    expect(frames.mainGpu).toEqual({ devices: 0, passes: 0 });
    const workers = page.workers();
    expect(workers.length).toBe(1);
    const engineStats = await workers[0].evaluate(() => (self as unknown as { engineStats: { devices: number; epochs: number } }).engineStats);
    expect(engineStats).toEqual({ devices: 1, epochs: 1 });
    expect(await page.textContent('#train-message'), errors.join('\n')).toBe('');
    const accuracy = Number(await page.getAttribute('#headline', 'data-accuracy'));
    expect(accuracy).toBeGreaterThan(0.7);
    expect(Number(await page.getAttribute('#headline', 'data-samples'))).toBe(10000);
    // Epoch 0 (untrained) and epoch 1 in the table; the chart drew the test-accuracy curve (its green).
    expect(await page.locator('#epochs tbody tr').count()).toBe(2);
    expect(await countPixels(page, '#chart canvas', [35, 139, 69])).toBeGreaterThan(50);
    // The prediction sheet: on screen, with the sheet's green frames (right) and dataset images (grey).
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#sheet').isVisible()).toBe(true);
    expect(await countPixels(page, '#sheet', [120, 190, 120])).toBeGreaterThan(500);
    expect(await page.locator('#confusion').isVisible()).toBe(true);
    expect(await page.locator('#weights').isVisible()).toBe(true);
    // Beside the confusion matrix, the accuracy of each class.
    const perClass = await page.$$eval('#class-accuracy tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(perClass).toHaveLength(10);
    expect(perClass[0]).toMatch(/^T-shirt\/top\d+\.\d%$/);
    // "Wrong predictions only": the sheet shows no right prediction's frame (RIGHT_FRAME's exact green).
    const rightFrames = () =>
      page.$eval('#sheet', (canvas) => {
        const c = canvas as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 120 && d[i + 1] === 190 && d[i + 2] === 120) n++;
        return n;
      });
    expect(await rightFrames()).toBeGreaterThan(100);
    await page.check('#wrong-only');
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    expect(await page.getAttribute('#sheet', 'aria-label')).toMatch(/^The first \d+ wrongly predicted test images/);
    expect(await rightFrames()).toBe(0);
    await page.uncheck('#wrong-only');
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    // The classify panel got the trained model: a random test image gets ten probabilities summing to 1.
    await page.click('#pad-sample');
    await expect.poll(() => page.locator('#bars li.best').count(), { timeout: 30_000 }).toBe(1);
    const probabilities = await page.$$eval('#bars li', (lis) => lis.map((li) => Number((li as HTMLElement).dataset.probability)));
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // Drawing with the mouse: a cleared pad has no prediction; a stroke gets one.
    await page.click('#pad-clear');
    await expect.poll(() => page.locator('#bars li.best').count()).toBe(0);
    const pad = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.3, pad.y + pad.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.3, pad.y + pad.height * 0.8, { steps: 8 });
    await page.mouse.move(pad.x + pad.width * 0.7, pad.y + pad.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.locator('#bars li.best').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.textContent('#classify-status')).toMatch(/^Looks like an? /);
    await page.click('#pad-sample');
    await expect.poll(() => page.textContent('#classify-status'), { timeout: 30_000 }).toMatch(/^Looks like an? /);
    await page.waitForTimeout(500); // let the probability bars finish their transition before the picture
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-trained.png'), fullPage: true });
    console.log(
      `web: trained 1 epoch on 5,000 samples in ${seconds.toFixed(1)} s (incl. epoch-0 evaluation), test accuracy ${accuracy}; ` +
        `${frames.frames} frames painted meanwhile, longest gap ${frames.maxFrameGap.toFixed(0)} ms; ` +
        `during the epoch (${frames.epochMs.toFixed(0)} ms at batch 8): ${frames.epochFrames} frames, longest gap ${frames.epochMaxFrameGap.toFixed(0)} ms, ` +
        `${frames.epochLongTasks} main-thread tasks >= 50 ms, longest ${frames.epochLongestTask.toFixed(0)} ms; ` +
        `all long tasks [ms from the epoch's start, ms]: ${JSON.stringify(frames.allLongTasks)}`,
    );
    expect(errors, "the page logged errors").toEqual([]);
    // The worker trains, so the page keeps painting (a blocked main thread paints nothing).
    expect(frames.frames).toBeGreaterThan(10);
    expect(frames.epochFrames).toBeGreaterThan(10);
    expect(frames.maxFrameGap).toBeLessThan(1000);
    // Target: no task of 50 ms or more during the epoch. Bound: 150 ms, for a machine other jobs share.
    expect(frames.epochLongestTask).toBeLessThan(150);
    await page.close();
  });

  it('fits a 390x844 phone: no sideways scrolling on any panel, the header wraps, every picture at a whole-number scale, the confusion matrix whole, touch targets of 44 px', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    const errors = pageErrors(page);
    await page.goto(site.url);
    await loadDataset(page);
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=limit]', '2000');
    await page.fill('input[name=testLimit]', '2000');
    await page.click('#train');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    expect(await page.textContent('#train-message'), errors.join('\n')).toBe('');
    await page.click('#pad-sample');
    await expect.poll(() => page.locator('#bars li.best').count(), { timeout: 30_000 }).toBe(1);
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    const layout = await page.evaluate(() => {
      const header = document.querySelector('.topbar')!.getBoundingClientRect();
      const inHeader = ['#adapter', '.toplink', '.tagline'].map((s) => document.querySelector(s)!.getBoundingClientRect());
      return {
        documentWidth: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        // Panels wider than their box (something inside sticks out sideways), by id.
        overflowing: Array.from(document.querySelectorAll<HTMLElement>('.panel')).filter((p) => p.scrollWidth > p.clientWidth || p.getBoundingClientRect().right > document.documentElement.clientWidth).map((p) => `${p.id} ${p.scrollWidth}/${p.clientWidth}`),
        // What a finger presses, shorter than 44 CSS pixels: buttons, button-like labels, fields, the model's segments.
        smallTargets: Array.from(document.querySelectorAll<HTMLElement>('button, .button, input[type=number], input[type=text], select, .segmented span, .check'))
          .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
          .map((el) => `${el.id || el.textContent?.trim() || el.tagName} ${el.getBoundingClientRect().height.toFixed(0)} px`),
        headerInside: inHeader.every((r) => r.left >= header.left && r.right <= header.right + 0.5),
        taglineWidth: inHeader[2].width,
        pictures: Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.picture, #pad, #template')).filter((c) => c.offsetParent !== null).map((c) => ({
          id: c.id,
          scale: (c.getBoundingClientRect().width * devicePixelRatio) / c.width,
          scaleY: (c.getBoundingClientRect().height * devicePixelRatio) / c.height,
        })),
      };
    });
    expect(layout.documentWidth).toBeLessThanOrEqual(layout.viewport);
    expect(layout.overflowing).toEqual([]);
    expect(layout.smallTargets).toEqual([]);
    expect(await page.textContent('#pad-hint')).not.toMatch(/mouse/);
    expect(layout.headerInside).toBe(true);
    expect(layout.taglineWidth).toBeGreaterThan(200); // not squeezed to a word per line
    expect(layout.pictures.map((p) => p.id).sort()).toEqual(['confusion', 'data-preview', 'pad', 'sheet', 'template', 'weights']);
    for (const p of layout.pictures) {
      expect(p.scale, p.id).toBeGreaterThanOrEqual(1);
      expect(Math.abs(p.scale - Math.round(p.scale)), `${p.id} at ${p.scale}`).toBeLessThan(0.01);
      expect(p.scaleY, p.id).toBeCloseTo(p.scale, 2);
    }
    // The sheet takes the columns that fit (3 here); the confusion matrix shows whole (at 1 or 2 device pixels per pixel).
    expect(await page.$eval('#sheet-figure', (f) => f.scrollWidth <= f.clientWidth)).toBe(true);
    expect(await page.$eval('#confusion', (c) => c.parentElement!.scrollWidth <= c.parentElement!.clientWidth)).toBe(true);
    // The kernel checks page belongs to another part of the project: its width is reported here, not asserted.
    const checks = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    await checks.goto(site.url + 'kernels.html');
    await checks.waitForTimeout(2000);
    console.log(`web: at 390 px the kernel checks page is ${await checks.evaluate(() => document.documentElement.scrollWidth)} px wide`);
    await checks.close();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-phone.png'), fullPage: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-phone-top.png') }); // docs/phone.png
    await page.$eval('#results-panel', (el) => el.scrollIntoView());
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-phone-results.png') });
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  it('works by keyboard, with a visible focus everywhere, names its pictures, and axe finds nothing serious (first view, trained, classifying)', async () => {
    // axe opens a page of its own beside this one, which needs a context of our making.
    // Its own browser: after the other tests' pages in a shared one, Chromium here sometimes never opened the file
    // chooser this test asks for (a 30 s timeout in a full run, never when this test ran alone).
    const own = await launchChromium();
    onTestFinished(() => own.close());
    const context = await own.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors = pageErrors(page);
    // Listening for file choosers from the start: Playwright turns on Chromium's chooser interception when the first
    // listener is added, asynchronously, and a key pressed right after waitForEvent('filechooser') can beat it; the
    // chooser then opens natively (nothing, headless) and no event comes. That race, not the device, is what once
    // looked like "no file chooser with a subgroups device": in Chromium 156 about half of such presses were lost,
    // with or without WebGPU or subgroups, and none with a listener added before the page loaded (issue 22).
    const choosers: FileChooser[] = [];
    page.on('filechooser', (c) => choosers.push(c));
    await page.goto(site.url);
    await page.locator('#adapter[data-state="ok"]').waitFor({ timeout: 30_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await loadDataset(page);
    const stops = await tabThrough(page);
    const ids = stops.map((s) => s.id);
    // The dataset's file input (in the dropzone), the checkpoint's and the classify panel's image file inputs.
    for (const id of ['data-files', 'model=scratch', 'train', 'load-model']) expect(ids, ids.join(' ')).toContain(id);
    expect(stops.filter((s) => !s.ring).map((s) => s.id)).toEqual([]);
    // Enter on the focused dropzone input opens the file chooser (once: no retries; the listener is on, above).
    expect(choosers).toEqual([]);
    await page.focus('#data-files');
    const opened = page.waitForEvent('filechooser', { timeout: 10_000 }).catch(() => null);
    await page.keyboard.press('Enter');
    const chooser = await opened;
    expect(chooser, 'Enter on the focused dataset input opened no file chooser').not.toBeNull();
    expect(chooser!.isMultiple()).toBe(true);

    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=limit]', '2000');
    await page.click('#train');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    expect(await page.textContent('#train-message'), errors.join('\n')).toBe('');
    // Names that say what the pictures show.
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    const accuracy = Number(await page.getAttribute('#headline', 'data-accuracy'));
    expect(await page.getAttribute('#confusion', 'aria-label')).toContain(`accuracy ${(100 * accuracy).toFixed(1)}%`);
    expect(await page.getAttribute('#sheet', 'aria-label')).toMatch(/^Predictions for the first \d+ test images: \d+ wrong/);
    expect(await page.getAttribute('#chart canvas', 'aria-label')).toMatch(/Epoch 1 of 1: train loss \d+\.\d{3}, test loss \d+\.\d{3}, train acc 0\.\d{3}, test acc 0\.\d{3}\.$/);
    expect(await seriousAxeViolations(page)).toEqual([]);

    const later = (await tabThrough(page)).filter((s) => ['pad-sample', 'pad-file', 'save-model', 'sheet-figure'].includes(s.id));
    expect(later.map((s) => s.id).sort()).toEqual(['pad-file', 'pad-sample', 'save-model', 'sheet-figure']);
    expect(later.every((s) => s.ring)).toBe(true);
    await page.focus('#pad-sample');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#bars li.best').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getAttribute('#template', 'aria-labelledby')).toBe('template-caption');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors, 'the page logged errors').toEqual([]);
    await context.close();
  });

  it('Stop ends training in the epoch that is running, keeping the last completed epoch\'s model', async () => {
    const { page } = await openPage();
    await loadDataset(page);
    await page.fill('input[name=epochs]', '4');
    await page.fill('input[name=limit]', '5000');
    await page.fill('input[name=batchSize]', '8');
    await page.click('#train');
    // Rows: epoch 0 (untrained) and epoch 1 -> epoch 1 is done; stop during epoch 2 (or, on a machine busy enough
    // that the click lands after epoch 2 ended, during epoch 3: an epoch is ~1.5 s, so which one is timing, not the
    // property tested). The epoch that was running is dropped: the run keeps epoch 1 (or 2), before the 4 asked for.
    await expect.poll(() => page.locator('#epochs tbody tr').count(), { timeout: 60_000 }).toBe(2);
    await page.click('#stop');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 60_000 });
    const stopped = /^Stopped: (\d) epochs? on 5,000 samples/.exec((await page.textContent('#train-status')) ?? '');
    expect(stopped, 'the status says the run stopped').not.toBeNull();
    const epochs = Number(stopped![1]);
    expect(epochs === 1 || epochs === 2, `stopped after ${epochs} epochs`).toBe(true);
    expect(await page.locator('#epochs tbody tr').count()).toBe(epochs + 1);
    expect(await page.locator('#save-model').isEnabled()).toBe(true);
    expect(await page.locator('#train').isEnabled()).toBe(true);
    // The checkpoint the worker handed over downloads as the CLI's format, with those epochs and their figures.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    expect(download.suggestedFilename()).toBe('model.safetensors');
    const saved = decodeCheckpoint(new Uint8Array(readFileSync((await download.path())!)), 'model.safetensors');
    expect(saved.meta.epoch).toBe(epochs);
    expect(saved.meta.history.map((h) => h.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    expect(saved.meta.test?.accuracy).toBe(Number(await page.getAttribute('#headline', 'data-accuracy')));
    await page.close();
  });

  // Issue 27: what users of comparable pages expect. Each page of these tests has a context of its own (fresh storage).
  it('remembers its settings across a reload and in its address, and keeps the dataset in the browser until forgotten', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    onTestFinished(() => context.close());
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(site.url);
    await loadDataset(page);
    await expect.poll(() => page.textContent('#data-message'), { timeout: 60_000 }).toMatch(/^60,000 training and 10,000 test images\. Kept in this browser for the next visit\.$/);
    await page.check('input[name=model][value=mlp]');
    await page.fill('input[name=option-hidden]', '64');
    await page.fill('input[name=epochs]', '3');
    await page.fill('input[name=batchSize]', '32');
    await page.fill('input[name=testLimit]', '500');
    const address = new URL(await page.evaluate(() => location.href));
    expect(Object.fromEntries(address.searchParams)).toEqual({ model: 'mlp', 'option-hidden': '64', epochs: '3', batchSize: '32', testLimit: '500' });
    const form = () =>
      page.evaluate(() => ({
        model: document.querySelector<HTMLInputElement>('input[name=model]:checked')?.value,
        ...Object.fromEntries(['option-hidden', 'epochs', 'lr', 'batchSize', 'testLimit', 'limit'].map((n) => [n, document.querySelector<HTMLInputElement>(`[name="${n}"]`)!.value])),
      }));
    const chosen = await form();
    expect(chosen).toEqual({ model: 'mlp', 'option-hidden': '64', epochs: '3', lr: String(modelDefinition('mlp').defaults.lr), batchSize: '32', testLimit: '500', limit: '60000' });

    // A reload, without the address's settings: they come from storage, and the dataset without picking a file.
    await page.goto(site.url);
    await page.locator('#data-message[data-tone="ok"]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#data-message')).toMatch(/^60,000 training and 10,000 test images\. Kept in this browser since /);
    expect(await form()).toEqual(chosen);
    await page.locator('#adapter[data-state="ok"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#train').isEnabled()).toBe(true);
    expect(await page.locator('#pad-sample').isEnabled()).toBe(true);

    // The address alone, in a browser that has stored nothing: the same settings, and no dataset.
    const fresh = await browser.newPage({ viewport: VIEWPORT });
    await fresh.goto(address.href);
    expect(await fresh.evaluate(() => document.querySelector<HTMLInputElement>('input[name=model]:checked')?.value)).toBe('mlp');
    expect(await fresh.inputValue('input[name=option-hidden]')).toBe('64');
    expect(await fresh.inputValue('input[name=testLimit]')).toBe('500');
    expect(await fresh.textContent('#train-status')).toMatch(/^(Load the dataset to start\.|No WebGPU)/);
    await fresh.close();

    // Forgotten: the next visit asks for the files again.
    await page.click('#data-forget');
    await expect.poll(() => page.textContent('#data-message')).toMatch(/Forgotten by this browser/);
    await page.reload();
    await page.locator('#adapter[data-state="ok"]').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    expect(await page.textContent('#train-status')).toBe('Load the dataset to start.');
    expect(errors, 'the page logged errors').toEqual([]);
  });

  // Issue 27: the focus dropped to the page's body when Train or Stop became disabled under it.
  it('moves the keyboard focus to Stop when Train starts a run, and back to Train when the run ends or Stop ends it', async () => {
    const { page, errors } = await openPage();
    await loadDataset(page);
    await page.fill('input[name=limit]', '2000');
    await page.fill('input[name=testLimit]', '500');
    await page.fill('input[name=batchSize]', '8');
    const focused = () => page.evaluate(() => document.activeElement?.id ?? null);
    // A run that ends by itself.
    await page.fill('input[name=epochs]', '1');
    await page.focus('#train');
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('stop');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    expect(await focused()).toBe('train');
    // A run Stop ends, by keyboard: 50 epochs, far more than run before the key is pressed (on a quiet machine
    // softmax regression does an epoch of these 2,000 samples in a fraction of a second).
    await page.fill('input[name=epochs]', '50');
    await page.focus('#train');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#train-status'), { timeout: 60_000 }).toMatch(/^Epoch \d+ of 50: step/);
    expect(await focused()).toBe('stop');
    await page.keyboard.press('Enter');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#train-status')).toMatch(/^Stopped: (\d|[1-4]\d) epochs? on 2,000 samples/);
    expect(await focused()).toBe('train');
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  it('trains on the main thread, and says so, where the browser has no WebGPU in workers', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = pageErrors(page);
    // A browser whose workers have no navigator.gpu (the page keeps its own).
    await page.route(/\/assets\/worker-[^/]+\.js$/, async (route) => {
      const response = await route.fetch();
      const body = `Object.defineProperty(WorkerNavigator.prototype, 'gpu', { get: () => undefined });\n${await response.text()}`;
      await route.fulfill({ response, body });
    });
    await page.goto(site.url);
    await loadDataset(page);
    expect(await page.evaluate(() => (window as unknown as { webgpuSoftmax: { engineMode: string } }).webgpuSoftmax.engineMode)).toBe('main thread');
    expect(await page.textContent('#engine-note')).toMatch(/^This browser has no WebGPU in workers, so training runs on the page's main thread/);
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=limit]', '2000');
    await page.click('#train');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    expect(await page.textContent('#train-message'), errors.join('\n')).toBe('');
    expect(Number(await page.getAttribute('#headline', 'data-accuracy'))).toBeGreaterThan(0.5);
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  it('survives a GPU-process crash during training: says so, and finishes on a new device', async () => {
    const { page } = await openPage();
    await loadDataset(page);
    await page.fill('input[name=epochs]', '1');
    // An epoch long enough (20,000 samples, ~10 s) and a poll dense enough that the crash lands inside it: at 5,000
    // samples the epoch (2.5 s) once ended between two of the poll's widening intervals.
    await page.fill('input[name=limit]', '20000');
    await page.fill('input[name=batchSize]', '8');
    await page.click('#train');
    await expect.poll(() => page.textContent('#train-status'), { timeout: 60_000, interval: 50 }).toMatch(/Epoch 1 of 1: step/);
    // What a driver reset or a GPU-process crash does to a page: Chrome's GPU process goes away.
    const cdp = await browser.newBrowserCDPSession();
    await cdp.send('Browser.crashGpuProcess' as never);
    await cdp.detach();
    await page.locator('#train-status[data-state="failed"], #train-status[data-state="done"]').waitFor({ timeout: 120_000 });
    expect(await page.textContent('#train-message')).toMatch(/^GPU device lost \(.*, during epoch 1\. The parameters of the start were kept: training goes on from there on a new device/);
    expect(await page.getAttribute('#train-status', 'data-state')).toBe('done');
    expect(await page.textContent('#train-status')).toMatch(/\(after 1 lost GPU device, continued on a new one\)\.$/);
    expect(Number(await page.getAttribute('#headline', 'data-accuracy'))).toBeGreaterThan(0.7);
    expect(await page.getAttribute('#adapter', 'data-state')).toBe('ok');
    // The pictures drawn before the crash survived it (the dataset preview was never redrawn).
    expect(await countPixels(page, '#data-preview', [0, 0, 0])).toBeGreaterThan(1000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-device-recovered.png') });
    await page.close();
  });

  it('loses its device mid-epoch (device.destroy()), goes on from the last completed epoch on a new one, and ends with the figures of an uninterrupted run', async () => {
    const { page, errors } = await openPage();
    await loadDataset(page);
    await page.fill('input[name=epochs]', '2');
    await page.fill('input[name=limit]', '3000');
    await page.fill('input[name=batchSize]', '8');
    /** The final figures: the headline's test loss and accuracy, and every epoch's row but its seconds. */
    const figures = () =>
      page.evaluate(() => ({
        loss: document.querySelector<HTMLElement>('#headline')!.dataset.loss,
        accuracy: document.querySelector<HTMLElement>('#headline')!.dataset.accuracy,
        epochs: Array.from(document.querySelectorAll('#epochs tbody tr'), (tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent).slice(0, 5).join(' ')),
      }));
    // The device is destroyed as soon as epoch 2 reports progress: epoch 1 is complete, epoch 2 is not.
    // Every text the banner shows is kept (it is cleared once the new device is there).
    await page.evaluate(() => {
      const banners: string[] = [];
      (window as unknown as { banners: string[] }).banners = banners;
      const banner = document.querySelector('#banner')!;
      new MutationObserver(() => banner.textContent && banners.push(banner.textContent)).observe(banner, { childList: true, characterData: true, subtree: true });
      const status = document.querySelector('#train-status')!;
      const observer = new MutationObserver(() => {
        if (!/^Epoch 2 of 2: step/.test(status.textContent ?? '')) return;
        observer.disconnect();
        (window as unknown as { webgpuSoftmax: { loseDevice(): void } }).webgpuSoftmax.loseDevice();
      });
      observer.observe(status, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#train');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    const banners = await page.evaluate(() => (window as unknown as { banners: string[] }).banners);
    expect(banners).toEqual([expect.stringMatching(/^The GPU device was lost \(destroyed: .*\)\. Training goes on from the last completed epoch on a new device\./)]);
    expect(await page.locator('#banner').isHidden()).toBe(true);
    expect(await page.textContent('#train-message')).toMatch(/GPU device lost \(destroyed\).*The parameters of epoch 1 were kept: training goes on from there on a new device, with the dataset uploaded again\.$/);
    expect(await page.getAttribute('#train-status', 'data-recoveries')).toBe('1');
    expect(await page.getAttribute('#adapter', 'data-state')).toBe('ok');
    const engineStats = await page.workers()[0].evaluate(() => (self as unknown as { engineStats: { devices: number; epochs: number } }).engineStats);
    expect(engineStats).toEqual({ devices: 2, epochs: 2 });
    const recovered = await figures();
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-device-destroyed.png'), fullPage: true });

    // The same run without a loss.
    await page.click('#train');
    await page.locator('#train-status[data-state="done"][data-recoveries="0"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    const uninterrupted = await figures();
    console.log(`web: after a lost device ${JSON.stringify(recovered)}; uninterrupted ${JSON.stringify(uninterrupted)}`);
    expect(uninterrupted.epochs).toHaveLength(3);
    expect(recovered).toEqual(uninterrupted);
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  it('evaluates a checkpoint written by the CLI to the CLI\'s test accuracy', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'webgpu-softmax-ckpt-'));
    try {
      const trained = await runCli(['train', '--limit', '2000', '--epochs', '1', '--out', out], { timeoutMs: 120_000 });
      expect(trained.code, trained.stderr).toBe(0);
      const evaluated = await runCli(['eval', '--model', out, '--json'], { timeoutMs: 120_000 });
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const cli = JSON.parse(evaluated.stdout) as { loss: number; accuracy: number; samples: number };

      const { page, errors } = await openPage();
      await loadDataset(page);
      await page.setInputFiles('#load-model', path.join(out, 'model.safetensors'));
      await page.locator('#headline[data-state="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
      expect(await page.textContent('#load-message'), errors.join('\n')).toBe('');
      const accuracy = Number(await page.getAttribute('#headline', 'data-accuracy'));
      expect(Math.abs(accuracy - cli.accuracy)).toBeLessThanOrEqual(0.001);
      expect(Number(await page.getAttribute('#headline', 'data-samples'))).toBe(cli.samples);
      expect(await page.textContent('#headline')).toMatch(/model\.safetensors: scratch model, 1 epoch on 2,000 samples/);
      expect(errors, 'the page logged errors').toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'web-checkpoint.png'), fullPage: true });
      await page.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  // Every model in the registry is offered, with the option fields it reads. MLP 784-64-10, 1 epoch of 3,000
  // samples at batch 8 (375 steps, lr 0.1): the CLI gives 0.646, 0.744, 0.701 for seeds 0-2.
  it('offers every model with its options: trains the mlp with hidden 64 to test accuracy > 0.6, with its weights picture, pad and checkpoint', async () => {
    const { page, errors } = await openPage();
    await loadDataset(page);
    const kinds = await page.$$eval('input[name=model]', (inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(kinds).toEqual(MODELS.map((m) => m.kind));
    /** The option fields on show. */
    const shown = () => page.$$eval('#train-form .field.option', (fields) => fields.filter((f) => !(f as HTMLElement).hidden).map((f) => (f as HTMLElement).dataset.option));
    expect(await shown()).toEqual(Object.keys(modelDefinition('scratch').options));
    await page.check('input[name=model][value=mlp]');
    const mlp = modelDefinition('mlp');
    expect(await shown()).toEqual(Object.keys(mlp.options));
    // Nobody typed into epochs or lr: they take the model's defaults.
    expect(await page.inputValue('input[name=epochs]')).toBe(String(mlp.defaults.epochs));
    expect(await page.inputValue('input[name=lr]')).toBe(String(mlp.defaults.lr));
    expect(await page.textContent('#model-hint')).toContain(mlp.summary);
    await page.fill('input[name=option-hidden]', '64');
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=limit]', '3000');
    await page.fill('input[name=batchSize]', '8');
    const started = Date.now();
    await page.click('#train');
    await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(await page.textContent('#train-message'), errors.join('\n')).toBe('');
    const accuracy = Number(await page.getAttribute('#headline', 'data-accuracy'));
    console.log(`web: mlp 784-64-10, 1 epoch on 3,000 samples at batch 8 in ${seconds.toFixed(1)} s, test accuracy ${accuracy}`);
    expect(accuracy).toBeGreaterThan(0.6);
    expect(await page.textContent('#headline')).toContain('Trained here: mlp 784-64-10 model, 1 epoch on 3,000 samples');
    // The weights picture shows the first layer's hidden units (all 64: bluish-red tiles, captioned by unit).
    await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#weights').isVisible()).toBe(true);
    expect(await page.getAttribute('#weights', 'aria-label')).toMatch(/^Weight templates of the mlp model: per unit/);
    expect(await page.locator('#sheet').isVisible()).toBe(true);
    expect(await countPixels(page, '#chart canvas', [35, 139, 69])).toBeGreaterThan(50);
    // The pad classifies with the MLP (it has no per-class template to show beside it).
    await page.click('#pad-sample');
    await expect.poll(() => page.locator('#bars li.best').count(), { timeout: 30_000 }).toBe(1);
    const probabilities = await page.$$eval('#bars li', (lis) => lis.map((li) => Number((li as HTMLElement).dataset.probability)));
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await page.locator('#template-figure').isHidden()).toBe(true);
    // The checkpoint is the model the form built: hidden 64, as the CLI would write it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    const saved = decodeCheckpoint(new Uint8Array(readFileSync((await download.path())!)), 'model.safetensors');
    expect(saved.meta.model).toEqual(fashionMnistSpec('mlp', { hidden: '64' }));
    expect(saved.params.W1.shape).toEqual([784, 64]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-mlp.png'), fullPage: true });
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  // Issue 27: with an image on the pad, an MLP or LeNet run ended with "Could not classify: ... [Buffer "drawing
  // images"] used in submit while destroyed" in 3 of 5 runs, beside the previous model's bars (the engine destroyed
  // a classifier that still had a request queued). Short runs (2 epochs of 512 samples at batch 64: every epoch hands
  // the pad a new model), alternating the two, as a person trying the models would.
  it('keeps classifying the image on the pad through several MLP and LeNet runs: no error, bars of the newest model', async () => {
    const { page, errors } = await openPage();
    await loadDataset(page);
    await page.evaluate(() => {
      const texts: string[] = [];
      (window as unknown as { classifyTexts: string[] }).classifyTexts = texts;
      const status = document.querySelector('#classify-status')!;
      new MutationObserver(() => texts.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#pad-sample');
    for (const kind of ['mlp', 'lenet', 'mlp', 'lenet']) {
      modelDefinition(kind); // throws if the registry has no such model
      await page.check(`input[name=model][value=${kind}]`);
      await page.fill('input[name=epochs]', '2');
      await page.fill('input[name=limit]', '512');
      await page.fill('input[name=testLimit]', '500');
      await page.fill('input[name=batchSize]', '64');
      await page.click('#train');
      await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 120_000 });
      expect(await page.textContent('#train-message'), errors.join('\n')).toBe('');
      await expect.poll(() => page.textContent('#classify-status'), { timeout: 30_000 }).toMatch(/^Looks like an? /);
      expect(await page.locator('#bars li.best').count()).toBe(1);
    }
    const texts = await page.evaluate(() => (window as unknown as { classifyTexts: string[] }).classifyTexts);
    expect(texts.filter((t) => !/^Looks like (a [^aeiouAEIOU]|an [aeiouAEIOU])/.test(t))).toEqual([]);
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  }, 400_000);

  // Issue 27: Stop waited for the epoch and its evaluation (118 s with the MLP's defaults). Now it acts within a few
  // steps or evaluation chunks, and the last completed epoch stands. The MLP (784-256-10) at the default batch of
  // 256 on 6,000 samples: epochs and evaluations of 10,000 test images that each take longer than the 5 s allowed.
  // Meanwhile the main thread runs no task of 50 ms or more (issue 27: 92-193 ms with the MLP): a long task's length is
  // wall time, so on a machine with more runnable jobs than cores (other agents' tests) the bound is 150 ms.
  it('Stop acts within 5 s during a long MLP run, while training and while evaluating, keeping the last completed epoch; no main-thread task >= 50 ms', async () => {
    const { page, errors } = await openPage();
    await loadDataset(page);
    await page.check('input[name=model][value=mlp]');
    await page.fill('input[name=epochs]', '3');
    // 6,000 samples: 24 steps of the default batch, long enough to press Stop mid-epoch, short enough for the suite.
    await page.fill('input[name=limit]', '6000');
    expect(await page.inputValue('input[name=batchSize]')).toBe('256');
    expect(await page.inputValue('input[name=testLimit]')).toBe('10000');
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: Array<[number, number]> };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push([e.startTime, e.duration]))).observe({ type: 'longtask' });
    });
    /** Starts a run, waits for the status to match `when`, presses Stop: seconds until the run has ended. */
    const stopWhen = async (when: RegExp): Promise<number> => {
      await page.click('#train');
      await expect.poll(() => page.textContent('#train-status'), { timeout: 180_000, interval: 100 }).toMatch(when);
      const pressed = Date.now();
      await page.click('#stop');
      await page.locator('#train-status[data-state="done"], #train-status[data-state="failed"]').waitFor({ timeout: 180_000 });
      return (Date.now() - pressed) / 1000;
    };

    // While training epoch 2: epoch 1 stands.
    const duringTraining = await stopWhen(/^Epoch 2 of 3: step \d+ of 24/);
    expect(await page.textContent('#train-status')).toMatch(/^Stopped: 1 epoch on 6,000 samples/);
    expect(await page.locator('#epochs tbody tr').count()).toBe(2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    const saved = decodeCheckpoint(new Uint8Array(readFileSync((await download.path())!)), 'model.safetensors');
    expect(saved.meta.epoch).toBe(1);
    expect(saved.meta.test?.accuracy).toBe(Number(await page.getAttribute('#headline', 'data-accuracy')));
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: Array<[number, number]> }).longTasks.map(([, d]) => Math.round(d)));
    const load = loadavg()[0];

    // While evaluating epoch 1: nothing completed, nothing kept from this run.
    const duringEvaluation = await stopWhen(/^Evaluating epoch 1 of 3 on 10,000 test images: [\d,]+ of 10,000 done/);
    expect(await page.textContent('#train-status')).toMatch(/^Stopped: 0 epochs on 6,000 samples/);
    expect(await page.locator('#epochs tbody tr').count()).toBe(1);
    console.log(`web: Stop took ${duringTraining.toFixed(1)} s while training, ${duringEvaluation.toFixed(1)} s while evaluating; main-thread tasks >= 50 ms in the first run: ${JSON.stringify(longTasks)} (load average ${load.toFixed(1)} on ${cpus().length} cores)`);
    expect(duringTraining).toBeLessThan(5);
    expect(duringEvaluation).toBeLessThan(5);
    expect(await page.locator('#train').isEnabled()).toBe(true);
    expect(longTasks.filter((ms) => ms >= (load > cpus().length ? 150 : 50))).toEqual([]);
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  }, 400_000);

  it("says a model's own message for a bad option on its field and disables Train (dropout 0.2,0.5 with hidden 64)", async () => {
    const { page, errors } = await openPage();
    await loadDataset(page);
    await page.check('input[name=model][value=mlp]');
    await page.fill('input[name=option-hidden]', '64');
    expect(await page.locator('#train').isEnabled()).toBe(true);
    await page.fill('input[name=option-dropout]', '0.2,0.5');
    let message = '';
    try {
      fashionMnistSpec('mlp', { hidden: '64', dropout: '0.2,0.5' });
    } catch (err) {
      message = (err as Error).message;
    }
    // The model names its options as the library takes them; the page says them as the CLI's flags.
    expect(message).toMatch(/^modelOptions\.dropout needs one probability per hidden layer/);
    expect(await page.textContent('#train-message')).toContain(renameOptions(message, (key) => `--${key}`));
    expect(await page.getAttribute('input[name=option-dropout]', 'aria-invalid')).not.toBeNull();
    expect(await page.getAttribute('input[name=option-hidden]', 'aria-invalid')).toBeNull();
    expect(await page.locator('#train').isDisabled()).toBe(true);
    expect(await page.textContent('#train-status')).toBe('Fix the settings above to train.');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-bad-option.png') });
    // One probability per layer: fine again.
    await page.fill('input[name=option-hidden]', '64,32');
    expect(await page.locator('#train').isEnabled()).toBe(true);
    expect(await page.getAttribute('input[name=option-dropout]', 'aria-invalid')).toBeNull();
    expect(await page.textContent('#train-message')).toBe('');
    // A field typed into keeps its value across models; the other takes each model's default.
    await page.fill('input[name=epochs]', '3');
    await page.check('input[name=model][value=scratch]');
    expect(await page.inputValue('input[name=epochs]')).toBe('3');
    expect(await page.inputValue('input[name=lr]')).toBe(String(modelDefinition('scratch').defaults.lr));
    expect(await page.locator('input[name=option-hidden]').isHidden()).toBe(true);
    expect(errors, 'the page logged errors').toEqual([]);
    await page.close();
  });

  it("evaluates an MLP checkpoint written by the CLI to the CLI's test accuracy", async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'webgpu-softmax-mlp-'));
    try {
      const trained = await runCli(['train', '--model', 'mlp', '--hidden', '32', '--epochs', '1', '--limit', '2000', '--out', out, '--json'], { timeoutMs: 120_000 });
      expect(trained.code, trained.stderr).toBe(0);
      const cli = (JSON.parse(trained.stdout) as { test: { loss: number; accuracy: number; samples: number } }).test;

      const { page, errors } = await openPage();
      await loadDataset(page);
      await page.setInputFiles('#load-model', path.join(out, 'model.safetensors'));
      await page.locator('#headline[data-state="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('#results-panel[data-pictures="drawn"]').waitFor({ timeout: 60_000 });
      expect(await page.textContent('#load-message'), errors.join('\n')).toBe('');
      const accuracy = Number(await page.getAttribute('#headline', 'data-accuracy'));
      console.log(`web: CLI mlp 784-32-10 checkpoint: CLI test accuracy ${cli.accuracy}, page ${accuracy}`);
      expect(Math.abs(accuracy - cli.accuracy)).toBeLessThanOrEqual(0.001);
      expect(Number(await page.getAttribute('#headline', 'data-samples'))).toBe(cli.samples);
      expect(await page.textContent('#headline')).toMatch(/model\.safetensors: mlp 784-32-10 model, 1 epoch on 2,000 samples/);
      expect(await page.locator('#weights').isVisible()).toBe(true);
      await page.click('#pad-sample');
      await expect.poll(() => page.locator('#bars li.best').count(), { timeout: 30_000 }).toBe(1);
      expect(errors, 'the page logged errors').toEqual([]);
      await page.close();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('on the dev server (npm run web), loads the dataset from the directory the CLI uses with one click', async () => {
    const server = await createServer({ configFile: path.join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn', server: { port: 0 } });
    try {
      await server.listen();
      const url = server.resolvedUrls?.local[0];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await browser.newPage({ viewport: VIEWPORT });
      await page.goto(url!);
      await page.click('#data-local');
      await page.locator('#data-message[data-tone="ok"], #data-message[data-tone="error"]').waitFor({ timeout: 60_000 });
      expect(await page.textContent('#data-message')).toMatch(/^60,000 training and 10,000 test images\./);
      expect(await page.locator('#data-slots li.ok').count()).toBe(4);
      // Each row names the directory in full: long rows wrap, none is cut off.
      const rows = await page.$$eval('#data-slots li', (lis) => lis.map((li) => ({ text: li.textContent ?? '', cut: li.scrollWidth > li.clientWidth })));
      for (const row of rows) expect(row).toEqual({ text: expect.stringMatching(/ \(from \/.+\)$/), cut: false });
      await page.close();
    } finally {
      await server.close();
    }
  });
});
