/** Tests only: read what the loopback SMTP sink (edge/test/mail-setup.ts) caught. */
import { env } from "cloudflare:workers";
import { vi } from "vitest";

export interface SinkMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headerFrom: string;
}

export async function mailsTo(to: string): Promise<SinkMail[]> {
  const res = await fetch(`${env.MAIL_SINK_URL}/mails?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { mails: SinkMail[] }).mails;
}

/** Waits until `count` mails to `to` have arrived (newest first). */
export function caughtMails(to: string, count: number, timeout = 10_000): Promise<SinkMail[]> {
  return vi.waitFor(
    async () => {
      const mails = await mailsTo(to);
      if (mails.length < count) throw new Error(`${mails.length}/${count} mails to ${to}`);
      return mails;
    },
    { timeout, interval: 50 },
  );
}
