// Partnerships (連携事業), the staff side, in real Chromium on both databases:
//
//   The desk opens a decided demo proposal, follows 「連携事業を登録」, sees the form prefilled
//   from it, first sends it with a mistake (the error summary links the field, what was typed
//   stays), then completes it, checks it on the 確認画面 and saves it; on the partnership's
//   page it records an activity, which shows in the activities and the timeline. The list
//   shows it with its text badges.
//
// Each page (list, new, new with errors, confirm, page) is checked with axe at 1280 px and for
// sideways scrolling at 375 px; with RENKEI_E2E_SCREENSHOTS=<dir> each is saved as a PNG.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';
import { login } from '../lib/site.mjs';

const TENANT = '272027';
const DESK_EMAIL = 'desk@kishiwada.demo.renkei.jp';

for (const backend of BACKENDS) {
  describe(`partnerships on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let browser;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
    });

    after(async () => {
      try {
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const check = (page, problems, label) => checkPage(page, problems, label, `${backend}-pships-`);

    test('a partnership from a decided proposal, then an activity', async () => {
      const problems = [];
      const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        const creds = srv.logins.find((l) => l.email === DESK_EMAIL);
        assert.ok(creds, `no demo login printed for ${DESK_EMAIL}`);
        assert.ok(await login(page, srv, creds));

        // The list, reached from the desk's home.
        await page.goto(srv.at(`/t/${TENANT}/desk`));
        await Promise.all([page.waitForNavigation(), page.locator(`main a[href="/t/${TENANT}/partnerships"]`).first().click()]);
        assert.match(await page.locator('h1').innerText(), /連携事業の一覧/);
        await check(page, problems, 'list');

        // A decided proposal leads to the form, prefilled from it.
        await page.goto(srv.at(`/t/${TENANT}/desk/proposals?status=decided`));
        const first = page.locator('main table tbody tr a').first();
        assert.equal(await first.count(), 1, 'the demo has no decided proposal');
        const title = (await first.innerText()).trim();
        await Promise.all([page.waitForNavigation(), first.click()]);
        const create = page.locator('a[href*="/partnerships/new?proposal="]');
        assert.equal(await create.count(), 1, 'no 「連携事業を登録」 on a decided proposal');
        await Promise.all([page.waitForNavigation(), create.click()]);
        assert.equal(await page.locator('#title').inputValue(), title.slice(0, 200));
        assert.ok((await page.locator('#party_name-0').inputValue()).length > 0, 'the organisation is not the first party');
        await check(page, problems, 'new');

        // A mistake first: the summary links the field and what was typed stays.
        await page.locator('#form').selectOption('project');
        await page.locator('#department_id').selectOption({ index: 1 });
        await page.locator('#purpose').fill(`${backend}で共有する目的`);
        await page.locator('#signed_on').fill('令和8年4月1日');
        await page.locator('#ends_on').fill('令和7年3月31日');
        await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').filter({ hasText: '確認画面へ進む' }).click()]);
        assert.equal(await page.locator('.error-summary a[href="#ends_on"]').count(), 1, 'the summary does not link the end day');
        assert.equal(await page.locator('#purpose').inputValue(), `${backend}で共有する目的`);
        await check(page, problems, 'new-error');

        // 相手方を追加 adds rows without losing anything.
        await Promise.all([page.waitForNavigation(), page.locator('button[name=add_party]').click()]);
        assert.equal(await page.locator('#party_name-5').count(), 1, 'no more party rows');
        assert.equal(await page.locator('#purpose').inputValue(), `${backend}で共有する目的`);

        await page.locator('#ends_on').fill('2028-03-31');
        await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').filter({ hasText: '確認画面へ進む' }).click()]);
        assert.match(await page.locator('h1').innerText(), /登録しますか/);
        assert.match(await page.locator('main').innerText(), /令和8年4月1日/);
        await check(page, problems, 'confirm');
        await Promise.all([page.waitForNavigation(), page.locator('main form button[value=yes]').click()]);
        assert.match(page.url(), new RegExp(`/t/${TENANT}/partnerships/\\d+`));
        assert.match(await page.locator('[role=status]').innerText(), /登録しました/);
        await check(page, problems, 'page');

        // An activity.
        await page.locator('#activity-title').fill(`${backend}での防災訓練`);
        await page.locator('#people').fill('40');
        await Promise.all([page.waitForNavigation(), page.locator('form[action$="/activities"] button[type=submit]').click()]);
        assert.match(await page.locator('[role=status]').innerText(), /取組実績を記録しました/);
        assert.match(await page.locator('#activities ~ ul.timeline').first().innerText(), new RegExp(`${backend}での防災訓練`));
        await check(page, problems, 'page-activity');

        await page.goto(srv.at(`/t/${TENANT}/partnerships`));
        assert.match(await page.locator('main table').innerText(), new RegExp(title.slice(0, 10).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

        noProblems(problems);
      } finally {
        await context.close().catch(() => {});
      }
    });
  });
}
