// The public case library (連携事例) in real Chromium, on both databases: a visitor searches
// 防災 on the national page, finds a case of another local government than 岸和田市, narrows
// by a facet link (no JavaScript needed), opens the case, sees its accountability record,
// beneficiaries' voice and the same partner's case in another local government; the tenant's
// own library and the empty result are shown too.
//
// Every page state is checked with axe at 1280 and 375 px (lib/check.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';

const TENANT = '272027';

async function text(page) {
  return page.locator('body').innerText();
}

for (const backend of BACKENDS) {
  describe(`case library on ${backend}`, { timeout: 600_000 }, () => {
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
        await context?.close().catch(() => {});
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const axe = (page, problems, label) => checkPage(page, problems, label, `${backend}-cases-`);

    test('search 防災 nationwide, narrow, open another local government’s case', async () => {
      const problems = [];
      const page = await context.newPage();
      let resp = await page.goto(srv.at('/cases'));
      assert.equal(resp?.status(), 200);
      await axe(page, problems, 'cases start');
      await page.locator('#cases-q').fill('防災');
      [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator('form[role=search] button[type=submit]').click(),
      ]);
      assert.equal(resp?.status(), 200);
      assert.equal(await page.locator('#cases-q').inputValue(), '防災', 'the query stays in the box');
      const body = await text(page);
      assert.match(body, /神奈川県川崎市/);
      assert.match(body, /大阪府岸和田市/);
      await axe(page, problems, 'cases 防災');

      // A facet link narrows to 川崎市 (a plain link: works without JavaScript).
      const facet = page.locator('#facet-tenant ~ ul a', { hasText: '神奈川県川崎市' }).first();
      [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), facet.click()]);
      assert.equal(resp?.status(), 200);
      assert.match(page.url(), /tenant=141305/);
      const narrowed = await text(page);
      assert.doesNotMatch(narrowed, /大阪府岸和田市\n/);
      await axe(page, problems, 'cases 防災 kawasaki');

      // Open the 物流 case: accountability record, beneficiaries' voice, the same partner.
      const link = page.locator('.case-list a', { hasText: 'だんじり物流' }).first();
      [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
      assert.equal(resp?.status(), 200);
      assert.match(page.url(), /\/t\/141305\/cases\/\d+$/);
      const casePage = await text(page);
      assert.match(casePage, /経緯|どのように/);
      assert.match(casePage, /受益者の声/);
      assert.match(casePage, /同じ相手方の他の自治体での事例/);
      assert.ok(
        (await page.locator(`.case-related a[href^="/t/${TENANT}/cases/"]`).count()) >= 1,
        '岸和田市’s case with the same partner is listed',
      );
      await axe(page, problems, 'case page');

      // The tenant's own library, and a search that finds nothing.
      resp = await page.goto(srv.at(`/t/${TENANT}/cases`));
      assert.equal(resp?.status(), 200);
      await axe(page, problems, 'tenant cases');
      resp = await page.goto(srv.at('/cases?q=' + encodeURIComponent('見つからない語句です')));
      assert.equal(resp?.status(), 200);
      assert.match(await text(page), /見つかりませんでした/);
      await axe(page, problems, 'cases none');
      noProblems(problems);
    });
  });
}
