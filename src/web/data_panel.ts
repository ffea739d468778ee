/**
 * The dataset panel: the four files by picker or drag-and-drop (or, on the dev server, from the local
 * dataset directory), which of them are there, decoding, and a preview of the first training images.
 */
import { FASHION_MNIST_FILES, FASHION_MNIST_KEYS, type FashionMnist, type FashionMnistFileKey } from '../data/dataset.js';
import { previewPicture } from '../report/preview.js';
import { IMAGE_PIXELS } from '../report/classes.js';
import { $, errorText, formatCount, setMessage, showImage } from './dom.js';
import { decodeFiles, EXPECTED_NAMES, loadDatasetDirectory, missingKeys, sortFiles } from './data_files.js';
import { forgetDataset, loadStoredDataset, saveDataset } from './data_store.js';

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
    const forget = $<HTMLButtonElement>('#data-forget');
    forget.addEventListener('click', () => {
      forget.hidden = true;
      forgetDataset()
        .then(() => setMessage(this.message, `${this.message.textContent?.replace(/ Kept in this browser.*$/, '') ?? ''} Forgotten by this browser: the next visit asks for the files again.`.trim(), 'ok'))
        .catch((err) => setMessage(this.message, `Could not forget the stored dataset: ${errorText(err)}`));
    });
    this.renderSlots();
    void this.restore();
  }

  /** The dataset this browser kept from an earlier visit, if any (data_store.ts). */
  private async restore(): Promise<void> {
    let stored: Awaited<ReturnType<typeof loadStoredDataset>> = null;
    try {
      stored = await loadStoredDataset();
    } catch (err) {
      setMessage(this.message, `The dataset this browser kept could not be read (${errorText(err)}): drop the four files.`, 'info');
      return;
    }
    if (!stored || this.busy || Object.keys(this.files).length > 0) return; // files picked meanwhile win
    const saved = new Date(stored.savedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    await this.load(async () => stored.data, '', `Kept in this browser since ${saved}.`);
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

  /** `kept`: said when the data came from this browser's storage; otherwise the data is stored for the next visit. */
  private async load(read: () => Promise<FashionMnist>, ignored = '', kept = ''): Promise<void> {
    this.busy = true;
    setMessage(this.message, kept ? 'Reading the dataset this browser kept…' : 'Decompressing and checking the files…', 'info');
    try {
      const data = await read();
      this.renderSlots(data);
      const counts = `${formatCount(data.train.count)} training and ${formatCount(data.test.count)} test images.`;
      const said = (...parts: string[]) => parts.filter((p) => p !== '').join(' ');
      setMessage(this.message, said(counts, ignored, kept), 'ok');
      $('#data-forget').hidden = kept === '';
      if (!kept) {
        saveDataset(data)
          .then(() => {
            setMessage(this.message, said(counts, ignored, 'Kept in this browser for the next visit.'), 'ok');
            $('#data-forget').hidden = false;
          })
          .catch((err) => console.warn(`the dataset is not kept in this browser: ${errorText(err)}`));
      }
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
