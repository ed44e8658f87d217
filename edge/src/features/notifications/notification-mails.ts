/** The notification mails (ADR 0017: only `new_video` and `comment_reply` are mailed). */
import type { MailMessage } from "../mail/mailer.ts";
import { escapeHtml } from "../mail/templates.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: a subject is a header; control characters go
const CONTROL = /[\u0000-\u001f\u007f]/g;

function mail(to: string, rawSubject: string, line: string, link: string, label: string): MailMessage {
  const subject = rawSubject.replace(CONTROL, " ").slice(0, 200);
  const footer = "You get these because mail notifications are on in your account's preferences.";
  return {
    to,
    subject,
    text: `${line}\n\n${link}\n\n${footer}\n`,
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#111;max-width:560px;margin:0 auto;padding:24px">
<p>${escapeHtml(line)}</p>
<p><a href="${escapeHtml(link)}" style="display:inline-block;background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(label)}</a></p>
<p style="color:#555;font-size:13px">${escapeHtml(footer)}</p></body></html>`,
  };
}

export function newVideoMail(to: string, channel: string, title: string, link: string): MailMessage {
  return mail(
    to,
    `${channel} published: ${title}`,
    `${channel} published a new video: ${title}`,
    link,
    "Watch it",
  );
}

export function commentReplyMail(to: string, who: string, excerpt: string, link: string): MailMessage {
  return mail(to, `${who} replied to your comment`, `${who} replied: “${excerpt}”`, link, "See the reply");
}
