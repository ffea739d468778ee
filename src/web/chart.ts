/**
 * The live chart: loss (left axis) and accuracy (right axis) per epoch, drawn by uPlot on a 2D canvas.
 * Epoch 0 is the untrained model on the test set, so even a one-epoch run shows where training started.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartPoint {
  epoch: number;
  trainLoss: number | null;
  trainAcc: number | null;
  testLoss: number | null;
  testAcc: number | null;
}

// The CLI's curve colours (src/report/curves.ts) for the series both show; test loss is only here.
// Test series are dashed as well, so the two are told apart without relying on colour alone.
const SERIES: Array<{ key: keyof Omit<ChartPoint, 'epoch'>; label: string; stroke: string; scale: 'loss' | 'acc'; dash?: number[] }> = [
  { key: 'trainLoss', label: 'train loss', stroke: 'rgb(31, 119, 180)', scale: 'loss' },
  { key: 'testLoss', label: 'test loss', stroke: 'rgb(255, 127, 14)', scale: 'loss', dash: [6, 4] },
  { key: 'trainAcc', label: 'train acc', stroke: 'rgb(197, 27, 125)', scale: 'acc' },
  { key: 'testAcc', label: 'test acc', stroke: 'rgb(35, 139, 69)', scale: 'acc', dash: [6, 4] },
];

const HEIGHT = 250;

/** Axis text and grid lines that read on the page's background (style.css's dark theme follows the system's). */
const DARK = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
const AXIS = DARK ? { stroke: '#c9ced6', grid: { stroke: '#2a303b' }, ticks: { stroke: '#2a303b' } } : {};

export class TrainingChart {
  private readonly plot: uPlot;
  private points: ChartPoint[] = [];
  private epochs = 1;

  constructor(private readonly container: HTMLElement) {
    const opts: uPlot.Options = {
      width: Math.max(240, container.clientWidth),
      height: HEIGHT,
      scales: {
        x: { time: false, range: () => [0, Math.max(1, this.epochs)] },
        loss: { range: (_u, _min, max) => [0, Math.max(0.5, Math.ceil((max || 0) * 2) / 2)] },
        acc: { range: [0, 1] },
      },
      axes: [
        { ...AXIS, label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, ticks) => ticks.map((t) => String(t)) },
        { ...AXIS, scale: 'loss', label: 'loss', size: 50 },
        // Steps of 0.1/0.2/0.5 only, so one decimal is exact (0.25 would print as a misleading 0.3).
        { ...AXIS, scale: 'acc', label: 'accuracy', side: 1, size: 50, grid: { show: false }, incrs: [0.1, 0.2, 0.5], values: (_u, ticks) => ticks.map((t) => t.toFixed(1)) },
      ],
      series: [
        { label: 'epoch' },
        ...SERIES.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 2,
          dash: s.dash,
          scale: s.scale,
          spanGaps: true,
          points: { show: true, size: 6 },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toFixed(3)),
        })),
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
    this.plot = new uPlot(opts, this.data(), container);
    this.plot.ctx.canvas.setAttribute('role', 'img');
    this.describe();
    // uPlot's canvas is GPU-backed: after a GPU-process crash Chrome restores it blank, so draw it again.
    this.plot.ctx.canvas.addEventListener('contextrestored', () => this.plot.redraw());
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(240, container.clientWidth), height: HEIGHT })).observe(container);
  }

  private data(): uPlot.AlignedData {
    return [this.points.map((p) => p.epoch), ...SERIES.map((s) => this.points.map((p) => p[s.key]))];
  }

  /** Starts a new run of `epochs` epochs (the x axis spans them all from the start). */
  reset(epochs: number, points: ChartPoint[] = []): void {
    this.epochs = epochs;
    this.points = [...points];
    this.plot.setData(this.data());
    this.describe();
  }

  add(point: ChartPoint): void {
    this.points.push(point);
    this.plot.setData(this.data());
    this.describe();
  }

  /** The chart's accessible name: what it plots and the last epoch's figures (the table below has them all). */
  private describe(): void {
    const last = this.points.at(-1);
    const figures = last
      ? `. Epoch ${last.epoch} of ${this.epochs}: ${SERIES.filter((s) => last[s.key] !== null).map((s) => `${s.label} ${last[s.key]!.toFixed(3)}`).join(', ')}`
      : ': no epochs yet';
    this.plot.ctx.canvas.setAttribute('aria-label', `Chart of loss and accuracy per epoch${figures}.`);
  }

  /** Keeps epochs 0..epoch. */
  truncate(epoch: number): void {
    this.points = this.points.filter((p) => p.epoch <= epoch);
    this.plot.setData(this.data());
    this.describe();
  }

  get pointCount(): number {
    return this.points.length;
  }
}
