/** The mails the platform sends, as text + HTML. Every interpolated value is HTML-escaped. */
import type { MailMessage } from "./mailer.ts";

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(heading: string, paragraphs: string[], link: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join("");
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#111;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px">${escapeHtml(heading)}</h1>${body}
<p><a href="${escapeHtml(link.href)}" style="display:inline-block;background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(link.label)}</a></p>
<p style="color:#555;font-size:13px">Or paste this address into your browser: ${escapeHtml(link.href)}</p>
</body></html>`;
}

export function verificationMail(to: string, handle: string, link: string, hours: number): MailMessage {
  const lines = [
    `Hi ${handle}, confirm that this address belongs to your Streamline account.`,
    `The link works once and expires in ${hours} hours. If you did not sign up, ignore this mail.`,
  ];
  return {
    to,
    subject: "Confirm your email address",
    text: `${lines[0]}\n\n${link}\n\n${lines[1]}\n`,
    html: layout("Confirm your email address", lines, { href: link, label: "Confirm my address" }),
  };
}

export function resetMail(to: string, handle: string, link: string, minutes: number): MailMessage {
  const lines = [
    `Hi ${handle}, someone asked to reset the password of your Streamline account.`,
    `The link works once and expires in ${minutes} minutes; setting a new password signs out every device. If it was not you, ignore this mail: your password stays as it is.`,
  ];
  return {
    to,
    subject: "Reset your password",
    text: `${lines[0]}\n\n${link}\n\n${lines[1]}\n`,
    html: layout("Reset your password", lines, { href: link, label: "Choose a new password" }),
  };
}
