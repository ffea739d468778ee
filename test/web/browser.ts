/**
 * Headless Debian Chromium for the page tests, driven by playwright-core (no browser download: the
 * executable comes from apt, see tools/install-system.sh --with-chromium). Flags: WebGPU needs
 * --enable-unsafe-webgpu on Linux; the rest keeps Chromium from reaching out or doing first-run work.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `webgpu: false` leaves WebGPU off, as in a Linux Chrome without the flag (every adapter request gives null). */
export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the page tests need Debian's chromium (bash tools/install-system.sh --with-chromium) or CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: options.webgpu === false ? FLAGS : ['--enable-unsafe-webgpu', ...FLAGS],
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
}

/** Collects the page's console errors and uncaught exceptions, so a failing test can say what the page said. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}
