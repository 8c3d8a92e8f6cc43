// One look at a page as the standards ask: zero axe WCAG 2.0/2.1 A and AA violations, no
// sideways scrolling at 375 px, and with RENKEI_E2E_SCREENSHOTS=<dir> a full-page PNG at 1280
// and 375 px wide (for people to look at; nothing compares them).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { formatViolations, runAxe } from './axe.mjs';
import { tablesAt1280 } from './site.mjs';

export const SHOTS = process.env.RENKEI_E2E_SCREENSHOTS;

/**
 * Checks `page`, appending what is wrong to `problems`; `name` prefixes the screenshots' file
 * names (the backend, the test). The viewport ends at 1280 × 900.
 */
export async function checkPage(page, problems, label, name = '') {
  const v = await runAxe(page);
  if (v.length > 0) problems.push(`${label}: ${formatViolations(v, page.url())}`);
  if (SHOTS) await mkdir(SHOTS, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    const { scroll, inner } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }));
    if (width === 375 && scroll > inner) {
      problems.push(`${label}: sideways scrolling at 375 px (${scroll} > ${inner}) on ${page.url()}`);
    }
    if (SHOTS) {
      await page.screenshot({
        path: path.join(SHOTS, `${name}${label.replace(/[^a-z0-9]+/gi, '_')}-${width}.png`),
        fullPage: true,
      });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  const tables = await tablesAt1280(page, label);
  if (tables) problems.push(tables);
}

/** Fails with every collected problem, one paragraph each. */
export function noProblems(problems) {
  if (problems.length > 0) assert.fail(`${problems.length} problem(s):\n\n${problems.join('\n\n')}`);
}
