/**
 * How every test and tool here starts Debian's Chromium headless: as root in a sandbox with
 * a closed network, so no GPU, no sandbox and none of the background networking that would
 * be refused many times a second.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
