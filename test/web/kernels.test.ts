/**
 * The kernel-checks page (src/web/kernels.html, src/web/check/): the kernel-correctness suite run through the page's
 * vitest shim. The shim's skipIf semantics in Node, then the built page in headless Chromium (SwiftShader here), where
 * every check passes or is shown as skipped with its reason: the page asks for `subgroups`, so where the browser
 * gives them (SwiftShader does, size 4) the subgroup kernels' checks run; where not, they are counted as skipped,
 * never as passed (issues 22, 27).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFile } from '../../src/web/check/registry.js';
import { describe as pageDescribe, it as pageIt } from '../../src/web/check/vitest_shim.js';
import { launchChromium, pageErrors } from './browser.js';
import { buildSite, REPO_ROOT, serveStatic, type SiteServer } from './server.js';

describe("the page's vitest shim: it.skipIf and describe.skipIf", () => {
  it('registers a test whose condition holds as skipped with the reason, and never runs it', async () => {
    const ran: string[] = [];
    const tests = await collectFile('skips.test.ts', async () => {
      pageDescribe('kernel', () => {
        pageIt('runs', () => ran.push('runs'));
        pageIt.skipIf(false)('condition false', () => ran.push('condition false'));
        pageIt.skipIf('the adapter gives no subgroups')('reason given', () => ran.push('reason given'));
        pageIt.skipIf(true)('condition true', () => ran.push('condition true'));
      });
      pageDescribe.skipIf('the device has no subgroups')('kernel_subgroup', () => {
        pageIt('inside a skipped block', () => ran.push('inside'));
        pageIt.skipIf('its own reason')('its own condition too', () => ran.push('own'));
        pageDescribe('nested', () => pageIt('deeper', () => ran.push('deeper')));
      });
      pageDescribe.skipIf(null)('kernel_other', () => pageIt('not skipped', () => ran.push('not skipped')));
    });
    expect(tests.map((t) => [t.name, t.skip])).toEqual([
      ['kernel > runs', null],
      ['kernel > condition false', null],
      ['kernel > reason given', 'the adapter gives no subgroups'],
      ['kernel > condition true', 'its skipIf condition holds'],
      ['kernel_subgroup > inside a skipped block', 'the device has no subgroups'],
      ['kernel_subgroup > its own condition too', 'the device has no subgroups'],
      ['kernel_subgroup > nested > deeper', 'the device has no subgroups'],
      ['kernel_other > not skipped', null],
    ]);
    expect(ran).toEqual([]); // collecting runs no test body
    // A block's skip ends with the block: a test registered after it runs.
    const after = await collectFile('after.test.ts', async () => pageIt('after', () => undefined));
    expect(after[0].skip).toBe(null);
  });
});

describe('the kernel-checks page in Chromium', () => {
  let site: SiteServer;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([buildSite().then(serveStatic), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('runs the suite on the page\'s device: every check passes; the subgroup kernels\' checks run where the browser gives subgroups, else show as skipped with the reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = pageErrors(page);
    await page.goto(`${site.url}kernels.html`);
    const summary = page.locator('#summary[data-state="done"], #summary[data-state="error"]');
    // The whole kernel suite on SwiftShader: ~95 s here (2 cores, cold shader cache).
    await summary.waitFor({ timeout: 300_000 });
    mkdirSync(path.join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-artifacts', 'web-kernels.png'), fullPage: true });
    const failures = await page.$$eval('#results tr.fail', (rows) => rows.map((r) => r.textContent));
    expect(failures, `failed in the page:\n${failures.join('\n')}\n${errors.join('\n')}`).toEqual([]);
    expect(await summary.getAttribute('data-state')).toBe('done');

    const count = async (name: string) => Number(await summary.getAttribute(`data-${name}`));
    const [passed, failed, skipped, total] = [await count('passed'), await count('failed'), await count('skipped'), await count('total')];
    // Every test of the suite was collected and accounted for, once (the suite has ~200 tests, one file per kernel).
    expect(passed + failed + skipped).toBe(total);
    expect(passed).toBeGreaterThan(150);
    const suiteFiles = readdirSync(path.join(REPO_ROOT, 'test', 'kernels')).filter((f) => f.endsWith('.test.ts'));
    expect(await page.locator('#results tr.file').count()).toBe(suiteFiles.length);
    expect(await summary.textContent()).toMatch(new RegExp(`^${passed} passed, 0 failed, ${skipped} skipped \\(`));

    // The page asks for `subgroups` (src/web/gpu.ts). Headless Chromium's SwiftShader adapter offers them with one
    // size (4), so the subgroup kernels' checks run and pass here, and #shapes says so; where a browser gives none,
    // they are skipped, each saying why, and none is shown as passed.
    const rows = await page.$$eval('#results tr.pass, #results tr.skip', (trs) =>
      (trs as HTMLTableRowElement[]).map((tr) => ({ name: tr.cells[0].textContent ?? '', result: tr.cells[1].textContent ?? '', skip: tr.classList.contains('skip') })),
    );
    const shownSkipped = rows.filter((r) => r.skip);
    expect(shownSkipped).toHaveLength(skipped);
    const size = Number(await summary.getAttribute('data-subgroup-size'));
    const shapes = await page.textContent('#shapes');
    // SwiftShader (headless Chromium 156 here) gives subgroups of one size, 4: there the subgroup shapes must run.
    if (/swiftshader/i.test((await page.textContent('#adapter')) ?? '')) expect(size, shapes ?? '').toBe(4);
    if (size > 0) {
      expect(shapes).toBe(`Kernel shapes: the subgroup kernels run, with subgroups of ${size}, beside the generic ones.`);
      // Only the lavapipe-only check (subgroups.test.ts) is left out, and says so.
      expect(shownSkipped.map((r) => r.result)).toEqual([expect.stringMatching(/^skipped: the adapter is .*, not lavapipe \(llvmpipe\)$/)]);
      // The subgroup kernels' checks that compute (not only refuse) ran and passed: 34 when issue 27 counted them.
      expect(rows.filter((r) => !r.skip && /subgroup/.test(r.name) && !/refuse|subgroupSize/.test(r.name)).length).toBeGreaterThan(30);
    } else {
      expect(shapes).toMatch(/^Kernel shapes: the generic kernels only \(.+\); the subgroup kernels' checks are skipped\.$/);
      expect(skipped).toBeGreaterThan(30);
      for (const r of shownSkipped) {
        expect(r.name).toMatch(/subgroup/);
        expect(r.result).toMatch(/^skipped: the (device was made without 'subgroups'|adapter gives no subgroups|adapter's subgroup size .*|adapter is .*, not lavapipe \(llvmpipe\))$/);
      }
      // What still passes with "subgroup" in its name is what needs no subgroups: the kernels' refusals of bad shapes.
      const passedSubgroup = rows.filter((r) => !r.skip && /subgroup/.test(r.name) && !r.name.startsWith('subgroupSize'));
      for (const r of passedSubgroup) expect(r.name).toMatch(/refuse/);
    }

    // On a 390 px phone the page, its long test names and skip reasons included, is no wider than the screen (issue 27).
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow, 'the page is wider than a 390 px screen').toBeLessThanOrEqual(390);
    await page.close();
  }, 360_000);
});
