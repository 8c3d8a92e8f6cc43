// Page helpers shared by the end-to-end tests: login/logout through the real
// forms, and which links the crawler may follow.
import assert from 'node:assert/strict';

export const LOGOUT_FORM = 'form[action="/logout"]';
export const LOGOUT_BUTTON = `${LOGOUT_FORM} [type=submit]`;
const LOGIN_SUBMIT = 'form:has(input[name=password]) button[type=submit]';

/** Submits a form by clicking `selector` and waits for the resulting page load. */
export async function submitAndWait(page, selector) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(selector).first().click(),
  ]);
  return response;
}

/** Fills and submits the login form; returns the response of the page it lands on. */
export async function login(page, srv, { email, password }) {
  const resp = await page.goto(srv.at('/login'));
  assert.ok(resp, 'no response for /login');
  assert.equal(resp.status(), 200, `GET /login answered ${resp.status()}`);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  return submitAndWait(page, LOGIN_SUBMIT);
}

/** Clicks the logout button in the header; returns the response of the page it lands on. */
export async function logout(page) {
  assert.equal(await page.locator(LOGOUT_FORM).count(), 1,
    `expected exactly one ${LOGOUT_FORM} on ${page.url()}`);
  return submitAndWait(page, LOGOUT_BUTTON);
}

/** Path plus query of the page's current URL. */
export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

const SKIP_PATHS = [/^\/logout(\/|$)/, /^\/api(\/|$)/, /^\/metrics(\/|$)/, /^\/healthz(\/|$)/];
const FILE_EXTENSION = /\.[A-Za-z0-9]{1,8}$/;

/**
 * The normalised URL (no fragment) if the crawler should follow `href`, else null:
 * same origin, GET-able pages only; no logout, API, metrics, health, files
 * (.css, .json, .csv, ...) or language-switch (?lang=) links.
 */
export function crawlTarget(href, origin) {
  let u;
  try { u = new URL(href); } catch { return null; }
  if (u.origin !== origin) return null;
  if (SKIP_PATHS.some((re) => re.test(u.pathname))) return null;
  const last = u.pathname.split('/').pop();
  if (FILE_EXTENSION.test(last)) return null;
  if (u.searchParams.has('lang')) return null;
  u.hash = '';
  return u.href;
}

/**
 * The "shape" of a URL: its path with every numeric (or long hex/uuid-like) segment
 * replaced by ':id', plus the names (not values) of its query parameters. The crawler
 * visits only a few URLs of each shape, so a list of 1,700 tenants does not use up its
 * page budget before the pages one level deeper are reached.
 */
export function urlShape(href) {
  const u = new URL(href);
  const path = u.pathname.split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f-]{16,}$/i.test(seg) ? ':id' : seg))
    .join('/');
  const keys = [...new Set(u.searchParams.keys())].sort();
  return keys.length ? `${path}?${keys.join('&')}` : path;
}

/** Hrefs of the links on the page the crawler may consider (not downloads, not language switches). */
export async function linksOn(page) {
  return page.$$eval('a[href]', (as) => as
    .filter((a) => !a.hasAttribute('download') && !a.hasAttribute('hreflang'))
    .map((a) => a.href));
}

/** True if the text contains hiragana, katakana or kanji. */
export function hasJapanese(text) {
  return /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]/.test(text);
}

/**
 * WCAG 2.1 reflow (1.4.10): at 375 px wide the page must not scroll sideways. Returns a
 * problem description, or null; the viewport is put back as it was.
 */
export async function sidewaysAt375(page, label = '') {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 375, height: before?.height ?? 900 });
  try {
    const { scroll, inner, wide } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter((e) => !e.closest('.scroll-x'))
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).split(' ').join('.') : ''}`)
        .slice(0, 5),
    }));
    return scroll > inner
      ? `${label}: sideways scrolling at 375 px (${scroll} > ${inner}) on ${page.url()}; too wide: ${wide.join(', ')}`
      : null;
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * At 1280 px every table lays out as a table (a class meant for narrow screens, or a shared
 * class name, must not turn a desktop table into something else). Returns a problem or null.
 */
export async function tablesAt1280(page, label = '') {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: before?.height ?? 900 });
  try {
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll('main table')]
        .filter((t) => getComputedStyle(t).display !== 'table')
        .map((t) => `table.${[...t.classList].join('.')} (${getComputedStyle(t).display})`),
    );
    return broken.length ? `${label}: tables not laid out as tables at 1280 px on ${page.url()}: ${broken.join(', ')}` : null;
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
