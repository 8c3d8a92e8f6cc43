// Statistics pages in real Chromium, on both databases, with the demo data: the nationwide
// page (/stats) and 岸和田市's (/t/272027/stats), in Japanese and English. Each chart is an
// image with a text alternative and its numbers are in a table; axe finds nothing at 1280 px,
// nothing scrolls sideways at 375 px (lib/check.mjs), and an unknown local government is 404.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';

const TENANT = '272027';

for (const backend of BACKENDS) {
  describe(`statistics on ${backend}`, { timeout: 300_000 }, () => {
    let srv;
    let browser;
    let context;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
      context = await newContext(browser);
    });

    after(async () => {
      try {
        await context?.close();
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    test('both pages: charts with text alternatives, tables, axe at 1280 and 375 px', async () => {
      const problems = [];
      const page = await context.newPage();
      for (const [path, label] of [
        [`/t/${TENANT}/stats`, 'tenant stats ja'],
        ['/stats', 'national stats ja'],
        [`/t/${TENANT}/stats?lang=en`, 'tenant stats en'],
        ['/stats?lang=en', 'national stats en'],
      ]) {
        const resp = await page.goto(srv.at(path));
        assert.equal(resp.status(), 200, path);
        const charts = page.locator('svg.chart[role="img"]');
        assert.equal(await charts.count(), 8, `charts on ${path}`);
        for (const svg of await charts.all()) {
          const labelled = await svg.getAttribute('aria-labelledby');
          const [titleId, descId] = labelled.split(' ');
          assert.ok((await page.locator(`[id="${titleId}"]`).textContent()).length > 0, `${path} chart title`);
          assert.ok((await page.locator(`[id="${descId}"]`).textContent()).length > 0, `${path} chart summary`);
        }
        assert.equal(await page.locator('table.stats-table').count(), 8, `tables on ${path}`);
        await checkPage(page, problems, label, `${backend}-`);
      }
      // The demo's proposals are counted: 令和8年度 has some at 岸和田市.
      await page.goto(srv.at(`/t/${TENANT}/stats?lang=ja`));
      const total = await page
        .locator('#proposals ~ .stats-figure table tr:has(data[value="2026"]) td')
        .last()
        .textContent();
      assert.ok(Number(total.replace(/,/g, '')) > 0, `proposals in 令和8年度: ${total}`);
      assert.match(await page.locator('body').innerText(), /令和8年度/);
      const missing = await page.goto(srv.at('/t/999999/stats'));
      assert.equal(missing.status(), 404);
      noProblems(problems);
    });
  });
}
