// Injects axe-core into a page and runs the WCAG 2.0/2.1 A and AA rules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
let axeSource = null;

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  try {
    await page.addScriptTag({ path: AXE_PATH });
  } catch {
    // handled below
  }
  // A strict Content-Security-Policy (script-src 'self') blocks the inline
  // <script> that addScriptTag creates; evaluating through the DevTools
  // protocol is not subject to the page's CSP.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    axeSource ??= readFileSync(AXE_PATH, 'utf8');
    await page.evaluate(axeSource);
  }
  assert.ok(await page.evaluate(() => typeof window.axe === 'object'), `axe-core could not be injected into ${page.url()}`);
}

/** Runs axe on the whole document; returns the violations array. */
export async function runAxe(page) {
  await injectAxe(page);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

export function formatViolations(violations, url) {
  const lines = [`${violations.length} axe violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push(`  - ${v.id} [${v.impact}]: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 3)) {
      lines.push(`      target: ${JSON.stringify(n.target)}  html: ${n.html.slice(0, 160)}`);
    }
    if (v.nodes.length > 3) lines.push(`      ... and ${v.nodes.length - 3} more node(s)`);
  }
  return lines.join('\n');
}

/** Fails the test with every violation's id, help, first targets and the page URL. */
export async function assertNoAxeViolations(page, label = '') {
  const violations = await runAxe(page);
  const url = page.url();
  if (violations.length > 0) {
    assert.fail((label ? `${label}: ` : '') + formatViolations(violations, url));
  }
  return violations;
}
