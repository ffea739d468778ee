/**
 * The dataset panel: the four files by picker or drag-and-drop (or, on the dev server, from the local
 * dataset directory), which of them are there, decoding, and a preview of the first training images.
 */
import { FASHION_MNIST_FILES, FASHION_MNIST_KEYS, type FashionMnist, type FashionMnistFileKey } from '../data/dataset.js';
import { previewPicture } from '../report/preview.js';
import { IMAGE_PIXELS } from '../report/classes.js';
import { $, errorText, formatCount, setMessage, showImage } from './dom.js';
import { decodeFiles, EXPECTED_NAMES, loadDatasetDirectory, missingKeys, sortFiles } from './data_files.js';

const PREVIEW_COUNT = 8;

const megabytes = (bytes: number): string => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(0)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

export class DataPanel {
  private files: Partial<Record<FashionMnistFileKey, File>> = {};
  private readonly message = $('#data-message');
  private busy = false;

  constructor(private readonly onLoaded: (data: FashionMnist) => void) {
    const input = $<HTMLInputElement>('#data-files');
    input.addEventListener('change', () => {
      if (input.files) void this.add(Array.from(input.files));
      input.value = '';
    });
    const zone = $('#dropzone');
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      if (e.dataTransfer) void this.add(Array.from(e.dataTransfer.files));
    });
    // The dev server can read the directory the CLI uses; a static host cannot, so the button is dev-only.
    if (import.meta.env.DEV) {
      const local = $<HTMLButtonElement>('#data-local');
      local.hidden = false;
      local.addEventListener('click', () => void this.load(() => loadDatasetDirectory()));
    }
    this.renderSlots();
  }

  private renderSlots(loaded?: FashionMnist, bad?: FashionMnistFileKey): void {
    $('#data-slots').replaceChildren(
      ...FASHION_MNIST_KEYS.map((key) => {
        const li = document.createElement('li');
        const file = this.files[key];
        const ok = loaded !== undefined || file !== undefined;
        li.className = key === bad ? 'bad' : ok ? 'ok' : 'missing';
        li.textContent = file ? `${file.name} (${megabytes(file.size)})` : loaded ? `${FASHION_MNIST_FILES[key]} (from ${loaded.source})` : `${FASHION_MNIST_FILES[key]}.gz`;
        li.title = li.textContent;
        return li;
      }),
    );
  }

  private async add(picked: File[]): Promise<void> {
    if (this.busy || picked.length === 0) return;
    const { files, unknown } = sortFiles(picked, this.files);
    this.files = files;
    this.renderSlots();
    // A stray file among the four is named and ignored; the others still load.
    const ignored = unknown.length > 0 ? `Ignored ${unknown.join(', ')}: not a Fashion-MNIST file.` : '';
    const missing = missingKeys(files);
    if (missing.length > 0) {
      const still = `Still missing: ${missing.map((k) => `${FASHION_MNIST_FILES[k]}.gz`).join(', ')}.`;
      if (unknown.length === picked.length) {
        setMessage(this.message, `${unknown.join(', ')}: not a Fashion-MNIST file. Expected the four files of the release: ${EXPECTED_NAMES.join(', ')}.`);
      } else setMessage(this.message, `${still} ${ignored}`.trim(), 'info');
      return;
    }
    await this.load(() => decodeFiles(files as Record<FashionMnistFileKey, File>), ignored);
  }

  private async load(read: () => Promise<FashionMnist>, ignored = ''): Promise<void> {
    this.busy = true;
    setMessage(this.message, 'Decompressing and checking the files…', 'info');
    try {
      const data = await read();
      this.renderSlots(data);
      setMessage(this.message, `${formatCount(data.train.count)} training and ${formatCount(data.test.count)} test images. ${ignored}`.trim(), 'ok');
      const preview = $<HTMLCanvasElement>('#data-preview');
      showImage(
        preview,
        previewPicture({
          images: data.train.images.subarray(0, PREVIEW_COUNT * IMAGE_PIXELS),
          labels: data.train.labels.subarray(0, PREVIEW_COUNT),
          count: PREVIEW_COUNT,
          columns: 4,
          scale: 2,
          title: 'The first training images',
        }).image,
      );
      $('#data-preview-frame').hidden = false;
      this.onLoaded(data);
    } catch (err) {
      const text = errorText(err);
      // Errors start with the file's name: mark that file, and drop it so a replacement can be added.
      const bad = FASHION_MNIST_KEYS.find((k) => this.files[k] && text.startsWith(this.files[k]!.name));
      this.renderSlots(undefined, bad);
      if (bad) delete this.files[bad];
      setMessage(this.message, `${text}. ${bad ? 'Drop the right file to replace it.' : ''}`.trim());
    } finally {
      this.busy = false;
    }
  }
}
