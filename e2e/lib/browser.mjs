// Launches the system Chromium (Debian package) through playwright-core.
// playwright-core never downloads a browser; it manages its own user-data-dir.
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.RENKEI_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/** A fresh context (own cookies) with Japanese as the browser language. */
export async function newContext(browser, opts = {}) {
  const context = await browser.newContext({ locale: 'ja-JP', ...opts });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}
